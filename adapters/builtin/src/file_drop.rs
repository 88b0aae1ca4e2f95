pub struct FileDrop;
impl FileDrop { pub fn from_settings(_s: &serde_json::Value) -> Result<Self, yc_adapter_sdk::AdapterError> { todo!() } }
