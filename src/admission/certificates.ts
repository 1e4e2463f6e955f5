import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface WebhookCertificates {
  /** PEM of the CA that signed the serving certificate: the webhook configuration's caBundle. */
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

const rsaKey = (): { forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } => {
  // Node generates the key (fast, native); forge only signs the certificates.
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  return { forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem: privateKey };
};

/** A certificate for a key, valid over the window, with a random serial (positive: a leading 00). */
const certificateFor = (publicKey: forge.pki.rsa.PublicKey, notBefore: Date, notAfter: Date): forge.pki.Certificate => {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  certificate.serialNumber = `00${randomBytes(16).toString('hex')}`;
  certificate.validity.notBefore = notBefore;
  certificate.validity.notAfter = notAfter;
  return certificate;
};

/**
 * A CA and a serving certificate for the webhook, signed with SHA-256: the API server checks the
 * serving certificate's subject alternative names against the Service DNS name (or the URL's host).
 */
export const webhookCertificates = (options: {
  readonly dnsNames: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly days: number;
  readonly now: Date;
}): WebhookCertificates => {
  const notBefore = new Date(options.now.getTime() - 5 * 60_000);
  const notAfter = new Date(options.now.getTime() + options.days * 86_400_000);
  const ca = rsaKey();
  const caCert = certificateFor(ca.publicKey, notBefore, notAfter);
  const caName = [{ name: 'commonName', value: 'kubeward-admission-ca' }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.forgeKey, forge.md.sha256.create());

  const serving = rsaKey();
  const cert = certificateFor(serving.publicKey, notBefore, notAfter);
  cert.setSubject([{ name: 'commonName', value: options.dnsNames[0] ?? options.ipAddresses?.[0] ?? 'kubeward-admission' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...options.dnsNames.map((value) => ({ type: 2, value })), ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip }))],
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.forgeKey, forge.md.sha256.create());
  return { caCert: forge.pki.certificateToPem(caCert), cert: forge.pki.certificateToPem(cert), key: serving.pem };
};
