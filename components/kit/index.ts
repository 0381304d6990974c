export * from "./labels";
export * from "./manifests";
export * from "./network";
export * from "./jvm";
export * from "./quantity";
export * from "./security";
export * from "./files";
