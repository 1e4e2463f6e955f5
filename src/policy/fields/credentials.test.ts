import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCredentials } from './credentials.js';

describe('credentials in configuration', () => {
  const kinds = (key: string, value: string): string[] =>
    findCredentials(key, value).map((hit) => `${hit.kind}${hit.setting ? ` ${hit.setting}` : ''}${hit.line ? `@${hit.line}` : ''}`);

  it('finds credentials by their shape, whatever the key', () => {
    assert.deepEqual(kinds('tls.key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z\n-----END RSA PRIVATE KEY-----\n'), ['private key']);
    assert.deepEqual(
      kinds('gcp.json', '{\n  "type": "service_account",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEv\\n-----END PRIVATE KEY-----\\n"\n}\n'),
      ['private key'],
    );
    assert.deepEqual(kinds('aws', 'AKIAIOSFODNN7EXAMPLE'), ['AWS access key']);
    assert.deepEqual(kinds('DATABASE_URL', 'postgres://shop:s3cr3t-pw@db.shop.svc:5432/orders'), ['URL with a password']);
    assert.deepEqual(kinds('notify', 'https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx'), ['Slack webhook URL']);
    assert.deepEqual(kinds('ci', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'), ['GitHub token']);
  });

  it('finds settings named password, secret or token inside a file value, with their line', () => {
    const properties =
      'spring.datasource.url=jdbc:postgresql://db:5432/shop\nspring.datasource.username=shop\nspring.datasource.password=Tr0ub4dor&3\nserver.port=8080\n';
    assert.deepEqual(kinds('application.properties', properties), ['password or token spring.datasource.password@3']);
    const yaml = 'redis:\n  host: redis\n  password: "hunter2hunter2"\napi:\n  clientSecret: 9f8e7d6c5b4a\n  tokenTtl: 3600\n';
    assert.deepEqual(kinds('config.yaml', yaml), ['password or token password@3', 'password or token clientSecret@5']);
    assert.deepEqual(kinds('DB_PASSWORD', 'Tr0ub4dor&3'), ['password or token DB_PASSWORD']);
    assert.deepEqual(kinds('dbPassword', 'Tr0ub4dor&3'), ['password or token dbPassword']);
  });

  it('leaves placeholders, references and settings about credentials alone', () => {
    for (const [key, value] of [
      ['DB_PASSWORD', '${DB_PASSWORD}'],
      ['DB_PASSWORD_FILE', '/run/secrets/db-password'],
      ['password', 'changeme'],
      ['TOKEN_TTL', '3600'],
      ['secretName', 'shop-db'],
      ['AUTH_ENABLED', 'true'],
      ['DATABASE_URL', 'postgres://shop:${DB_PASSWORD}@db:5432/orders'],
      ['bypass', 'on-weekends'],
      ['tokenizer', 'wordpiece'],
      ['config.yaml', 'password: {{ .Values.password }}\ntoken: $(TOKEN)\nsecret_name: shop\n'],
      ['client_secret', '<set me>'],
    ] as const) {
      assert.deepEqual(kinds(key, value), [], `${key}: ${value}`);
    }
  });

  it('never returns the value', () => {
    const hits = findCredentials('application.properties', 'db.password=Tr0ub4dor&3\n');
    assert.ok(!JSON.stringify(hits).includes('Tr0ub4dor'));
  });
});
