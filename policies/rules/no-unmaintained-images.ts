import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

/** Image sources that no longer receive fixes. */
const UNMAINTAINED: { prefix: RegExp; why: string }[] = [
  { prefix: /^(docker\.io\/)?bitnami\//, why: "Bitnami's free images were frozen in 2025 (moved to bitnamilegacy, no more updates)" },
  { prefix: /^(docker\.io\/)?minio\/minio[:@]/, why: "the Docker Hub minio/minio repository no longer receives images" },
];

export const noUnmaintainedImages = podPolicy(
  {
    name: "no-unmaintained-images",
    description: "Images do not come from sources that stopped publishing fixes (frozen Bitnami images, Docker Hub minio/minio).",
    enforcementLevel: "advisory",
    remediationSteps: "Use the official Apache images or a mirrored, maintained build.",
  },
  (pod, report) => {
    for (const { container, where } of containersOf(pod)) {
      const hit = UNMAINTAINED.find((u) => u.prefix.test(container?.image ?? ""));
      if (hit) report(`${where}: image ${container.image}: ${hit.why}`);
    }
  },
);
