/** Image references, parsed once by the distribution reference grammar (@swimlane/docker-reference). */
import { parseQualifiedName } from "@swimlane/docker-reference";

/** A reference as written: `name` keeps the registry and path as given (no docker.io/library added). */
export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

/** The parts of an image reference, or undefined when it is not one. */
export function parseImage(image: string): ImageRef | undefined {
  let ref: ReturnType<typeof parseQualifiedName>;
  try {
    ref = parseQualifiedName(image);
  } catch {
    return undefined;
  }
  // Without normalisation the first path component counts as the "domain": join them back.
  const name = ref.domain ? `${ref.domain}/${ref.repository}` : ref.repository!;
  return { name, ...(ref.tag ? { tag: ref.tag } : {}), ...(ref.digest ? { digest: ref.digest } : {}) };
}

/** Why an image is not pinned to a release tag or a sha256 digest; undefined when it is. */
export function unpinnedReason(image: string): string | undefined {
  const ref = parseImage(image);
  if (!ref) return "is not a valid image reference";
  if (ref.digest) return /^sha256:[a-f0-9]{64}$/.test(ref.digest) ? undefined : "has a malformed digest";
  if (!ref.tag) return "has no tag";
  return ref.tag === "latest" ? "uses the latest tag" : undefined;
}
