pub struct VerticalXml;
impl VerticalXml { pub fn from_settings(_s: &serde_json::Value) -> Result<Self, yc_adapter_sdk::AdapterError> { todo!() } }
