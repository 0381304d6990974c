import { checkCertificateIssuer, type IssuerReader } from "../infra/certificate-issuer";
import { loadPlatform } from "../infra/config/stack";
import { readStackFile } from "../tools/plan";
import { configProblemsAsync, ROOT } from "./helpers";

const stack = (name: string) => loadPlatform(ROOT, name, readStackFile(name));

/** A cluster as the check sees it: which CRDs it serves and which issuers exist. */
function cluster(crds: string[], issuers: string[]): IssuerReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async crdExists(name) {
      asked.push(`crd ${name}`);
      return crds.includes(name);
    },
    async issuerExists(kind, name, namespace) {
      asked.push(`${kind} ${namespace}/${name}`);
      return issuers.includes(kind === "Issuer" ? `${namespace}/${name}` : name);
    },
  };
}

describe("cert-manager and the issuer are checked before a TLS stack deploys anything", () => {
  it("passes when cert-manager serves Certificates and the named ClusterIssuer exists", async () => {
    const c = cluster(["certificates.cert-manager.io"], ["dataplatform-ca"]);
    await checkCertificateIssuer(stack("prod"), c);
    expect(c.asked).toEqual(["crd certificates.cert-manager.io", "ClusterIssuer data-platform/dataplatform-ca"]);
  });

  it("names what is missing: cert-manager itself, then the issuer", async () => {
    expect(await configProblemsAsync(() => checkCertificateIssuer(stack("prod"), cluster([], [])))).toEqual([
      "kafka.security: tls needs cert-manager, but the cluster serves no certificates.cert-manager.io: install cert-manager, then the issuer (README: Security)",
    ]);
    expect(await configProblemsAsync(() => checkCertificateIssuer(stack("staging"), cluster(["certificates.cert-manager.io"], [])))).toEqual([
      "certificates.issuer: ClusterIssuer dataplatform-ca does not exist: create it (kubectl apply -f tools/cert-manager/platform-ca.yaml makes ClusterIssuer dataplatform-ca) or name another",
    ]);
  });

  it("asks nothing of a plaintext stack", async () => {
    const c = cluster([], []);
    await checkCertificateIssuer(stack("dev"), c);
    expect(c.asked).toEqual([]);
  });
});
