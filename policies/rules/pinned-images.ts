import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

/** Tag of an image reference, or undefined when untagged; digests count as pinned. */
export function imagePin(image: string): { pinned: boolean; why?: string } {
  const [name, digest] = image.split("@");
  if (digest !== undefined) return /^sha256:[a-f0-9]{64}$/.test(digest) ? { pinned: true } : { pinned: false, why: "has a malformed digest" };
  const tag = /:([\w][\w.-]*)$/.exec(name.slice(name.lastIndexOf("/") + 1))?.[1];
  if (!tag) return { pinned: false, why: "has no tag" };
  if (tag === "latest") return { pinned: false, why: "uses the latest tag" };
  return { pinned: true };
}

export const pinnedImages = podPolicy<{ allowedRegistries: string[] }>({
  name: "pinned-images",
  description: "Images are pinned to a tag or digest (never latest or untagged) and, when configured, come from allowed registries.",
  enforcementLevel: "mandatory",
  config: { allowedRegistries: { type: "array", items: { type: "string" }, default: [], description: "image prefixes allowed, e.g. registry.example.com/; empty allows any" } },
  remediationSteps: "Pin every image to a release tag or sha256 digest; mirror it into an allowed registry.",
}, (pod, report, config) => {
  for (const { container, where } of containersOf(pod)) {
    const image: string = container?.image ?? "";
    const pin = imagePin(image);
    if (!image) report(`${where}: no image`);
    else if (!pin.pinned) report(`${where}: image ${image} ${pin.why}`);
    const allowed = config.allowedRegistries ?? [];
    if (image && allowed.length && !allowed.some((prefix) => image.startsWith(prefix))) {
      report(`${where}: image ${image} is not from an allowed registry (${allowed.join(", ")})`);
    }
  }
});
