import { unpinnedReason } from "../../components/kit/image";
import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

export const pinnedImages = podPolicy<{ allowedRegistries: string[] }>(
  {
    name: "pinned-images",
    description: "Images are pinned to a tag or digest (never latest or untagged) and, when configured, come from allowed registries.",
    enforcementLevel: "mandatory",
    config: {
      allowedRegistries: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "image prefixes allowed, e.g. registry.example.com/; empty allows any",
      },
    },
    remediationSteps: "Pin every image to a release tag or sha256 digest; mirror it into an allowed registry.",
  },
  (pod, report, config) => {
    for (const { container, where } of containersOf(pod)) {
      const image: string = container?.image ?? "";
      const unpinned = image && unpinnedReason(image);
      if (!image) report(`${where}: no image`);
      else if (unpinned) report(`${where}: image ${image} ${unpinned}`);
      const allowed = config.allowedRegistries ?? [];
      if (image && allowed.length && !allowed.some((prefix) => image.startsWith(prefix))) {
        report(`${where}: image ${image} is not from an allowed registry (${allowed.join(", ")})`);
      }
    }
  },
);
