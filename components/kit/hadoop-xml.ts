/** Hadoop's *-site.xml configuration files, rendered from and read back into plain maps. */
import { XMLBuilder, XMLParser } from "fast-xml-parser";

export type SiteProperties = Record<string, string | number | boolean>;

const builder = new XMLBuilder({ format: true, ignoreAttributes: false });

/** Properties in name order, so a rendered file (and its checksum) changes only when a value does. */
export function siteXml(properties: SiteProperties): string {
  const property = Object.keys(properties)
    .sort()
    .map((name) => ({ name, value: String(properties[name]) }));
  return builder.build({ "?xml": { "@_version": "1.0" }, configuration: { property } });
}

export function parseSiteXml(xml: string): Record<string, string> {
  const parsed = new XMLParser({ isArray: (name) => name === "property", parseTagValue: false }).parse(xml);
  return Object.fromEntries((parsed.configuration?.property ?? []).map((p: { name: string; value: string }) => [p.name, String(p.value)]));
}
