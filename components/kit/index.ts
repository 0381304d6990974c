export * from "./labels";
export * from "./image";
export * from "./manifests";
export * from "./network";
export * from "./jvm";
export * from "./quantity";
export * from "./security";
export * from "./files";
