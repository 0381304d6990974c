/**
 * Certificates for the engine tests, made with openssl as cert-manager would issue them: a CA, and
 * for each identity a Secret's worth of files (tls.crt, tls.key in PKCS#8, ca.crt).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export type TlsSecret = Record<"tls.crt" | "tls.key" | "ca.crt", string>;

export class TestCa {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "dp-ca-"));
  private serial = 1;
  readonly cert: string;

  constructor(readonly name: string) {
    this.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", `/CN=${name}`]);
    this.cert = this.read("ca.crt");
  }

  /** A certificate for `commonName`, valid for `dnsNames`, usable as server and client. */
  issue(commonName: string, dnsNames: string[] = []): TlsSecret {
    const base = `${commonName}-${this.serial++}`;
    this.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${base}.rsa`, "-out", `${base}.csr`, "-subj", `/CN=${commonName}/O=dataplatform`]);
    const ext = [
      "extendedKeyUsage=serverAuth,clientAuth",
      "keyUsage=digitalSignature,keyEncipherment",
      ...(dnsNames.length ? [`subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(",")}`] : []),
    ].join("\n");
    fs.writeFileSync(path.join(this.dir, `${base}.ext`), ext);
    this.openssl([
      "x509",
      "-req",
      "-in",
      `${base}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-set_serial",
      String(this.serial * 1000),
      "-days",
      "1",
      "-out",
      `${base}.crt`,
      "-extfile",
      `${base}.ext`,
    ]);
    this.openssl(["pkcs8", "-topk8", "-nocrypt", "-in", `${base}.rsa`, "-out", `${base}.key`]);
    return { "tls.crt": this.read(`${base}.crt`), "tls.key": this.read(`${base}.key`), "ca.crt": this.cert };
  }

  /**
   * `issue`'s certificate with the JKS stores cert-manager writes for spec.keystores.jks: keystore.jks
   * (the key under alias "certificate", key and store locked with `password`) and truststore.jks (the
   * CA, alias "ca"), made with openssl and keytool.
   */
  issueJks(commonName: string, dnsNames: string[], password: string): TlsSecret & Record<"keystore.jks" | "truststore.jks", Buffer> {
    const pem = this.issue(commonName, dnsNames);
    const base = `${commonName}-${this.serial++}-jks`;
    for (const [k, v] of Object.entries(pem)) fs.writeFileSync(path.join(this.dir, `${base}.${k}`), v);
    const env = { ...process.env, STORE_PASSWORD: password };
    const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: this.dir, env, stdio: ["ignore", "ignore", "pipe"] });
    run("openssl", [
      "pkcs12",
      "-export",
      "-in",
      `${base}.tls.crt`,
      "-inkey",
      `${base}.tls.key`,
      "-name",
      "certificate",
      "-passout",
      "env:STORE_PASSWORD",
      "-out",
      `${base}.p12`,
    ]);
    const storepass = ["-deststorepass:env", "STORE_PASSWORD"];
    run("keytool", [
      "-importkeystore",
      "-noprompt",
      "-srckeystore",
      `${base}.p12`,
      "-srcstoretype",
      "PKCS12",
      "-srcstorepass:env",
      "STORE_PASSWORD",
      "-destkeystore",
      `${base}.keystore.jks`,
      "-deststoretype",
      "JKS",
      ...storepass,
      "-destkeypass:env",
      "STORE_PASSWORD",
    ]);
    run("keytool", [
      "-importcert",
      "-noprompt",
      "-alias",
      "ca",
      "-file",
      "ca.crt",
      "-keystore",
      `${base}.truststore.jks`,
      "-storetype",
      "JKS",
      "-storepass:env",
      "STORE_PASSWORD",
    ]);
    const bytes = (f: string) => fs.readFileSync(path.join(this.dir, `${base}.${f}`));
    return { ...pem, "keystore.jks": bytes("keystore.jks"), "truststore.jks": bytes("truststore.jks") };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private read(file: string): string {
    return fs.readFileSync(path.join(this.dir, file), "utf8");
  }

  private openssl(args: string[]): void {
    execFileSync("openssl", args, { cwd: this.dir, stdio: ["ignore", "ignore", "pipe"] });
  }
}
