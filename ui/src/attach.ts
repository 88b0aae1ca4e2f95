// Files picked in the page travel to the shell as base64 (IPC arguments are JSON).
import { put_attachment, type Attachment, type IpcError } from "./bindings";

/** Stores a picked or pasted file in the workstation's attachment store. */
export async function uploadFile(f: File): Promise<Attachment> {
  // A pasted screenshot has no name.
  return put_attachment(f.name || "粘贴的图片.png", await fileToBase64(f));
}

/** The file's bytes as standard base64, without the data-URL prefix. */
export function fileToBase64(f: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onerror = () => {
      const e: IpcError = { kind: "Io", message: r.error?.message ?? "文件读取失败" };
      reject(e);
    };
    r.onload = () => {
      const s = String(r.result ?? "");
      resolve(s.slice(s.indexOf(",") + 1));
    };
    r.readAsDataURL(f);
  });
}

/** Bytes → the blob the page can show (previews under the CSP's `img-src blob:`). */
export function base64ToBlob(b64: string, mime: string): Blob {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: mime });
}

export function humanSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}
