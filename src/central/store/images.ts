import { sql, type Kysely, type Selectable } from 'kysely';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { CentralDatabase, ImageTable } from './schema.js';
import type { CentralStore, ImageRecord } from './types.js';

const SUMMARY = ['digest', 'name', 'os', 'source', 'scanned_at', 'packages', 'vulnerabilities', 'critical', 'high', 'medium', 'low', 'fixable'] as const;

const imageRecord = (row: Omit<Selectable<ImageTable>, 'report'>, names: readonly string[]): ImageRecord => ({
  digest: row.digest,
  name: row.name,
  names,
  ...(row.os ? { os: row.os } : {}),
  source: row.source as ImageRecord['source'],
  scannedAt: row.scanned_at,
  packages: Number(row.packages),
  vulnerabilities: {
    total: Number(row.vulnerabilities),
    critical: Number(row.critical),
    high: Number(row.high),
    medium: Number(row.medium),
    low: Number(row.low),
    fixable: Number(row.fixable),
  },
});

/** Image scans by digest, and the names that stand for each. */
export const imageQueries = (db: Kysely<CentralDatabase>): Pick<CentralStore, 'putImageScan' | 'getImage' | 'listImages' | 'imageIndex'> => {
  const namesOf = async (digests: readonly string[]): Promise<Map<string, string[]>> => {
    const out = new Map<string, string[]>();
    if (digests.length === 0) return out;
    const rows = await db
      .selectFrom('image_names')
      .select(['name', 'digest'])
      .where('digest', 'in', [...digests])
      .orderBy('name')
      .execute();
    for (const row of rows) out.set(row.digest, [...(out.get(row.digest) ?? []), row.name]);
    return out;
  };
  return {
    putImageScan: (scan) =>
      db.transaction().execute(async (trx) => {
        const row = {
          digest: scan.digest,
          name: scan.name,
          os: scan.os ?? null,
          source: scan.source,
          scanned_at: scan.scannedAt,
          packages: scan.packages,
          vulnerabilities: scan.vulnerabilities.total,
          critical: scan.vulnerabilities.critical,
          high: scan.vulnerabilities.high,
          medium: scan.vulnerabilities.medium,
          low: scan.vulnerabilities.low,
          fixable: scan.vulnerabilities.fixable,
          report: JSON.stringify(scan.report),
        };
        await trx
          .insertInto('images')
          .values(row)
          .onConflict((conflict) => conflict.column('digest').doUpdateSet({ ...row, digest: undefined } as never))
          .execute();
        await trx
          .insertInto('image_names')
          .values({ name: scan.name, digest: scan.digest, updated_at: scan.scannedAt })
          .onConflict((conflict) => conflict.column('name').doUpdateSet({ digest: scan.digest, updated_at: scan.scannedAt }))
          .execute();
        const names = await trx.selectFrom('image_names').select('name').where('digest', '=', scan.digest).orderBy('name').execute();
        return imageRecord(
          row,
          names.map((entry) => entry.name),
        );
      }),
    getImage: async (digest) => {
      const row = await db.selectFrom('images').selectAll().where('digest', '=', digest).executeTakeFirst();
      if (!row) return undefined;
      return { ...imageRecord(row, (await namesOf([digest])).get(digest) ?? []), report: JSON.parse(row.report) as unknown };
    },
    listImages: async (query) => {
      let select = db.selectFrom('images').select(SUMMARY);
      if (query.search) {
        const pattern = `%${query.search.toLowerCase().replace(/[\\%_]/g, (match) => `\\${match}`)}%`;
        select = select.where(sql<boolean>`(lower(name) like ${pattern} escape '\\' or lower(digest) like ${pattern} escape '\\')`);
      }
      if (query.cursor) {
        const [at, digest] = decodeCursor(query.cursor);
        select = select.where((eb) => eb.or([eb('scanned_at', '<', String(at)), eb.and([eb('scanned_at', '=', String(at)), eb('digest', '>', digest)])]));
      }
      const rows = await select
        .orderBy('scanned_at', 'desc')
        .orderBy('digest')
        .limit(query.limit + 1)
        .execute();
      const items = rows.slice(0, query.limit);
      const names = await namesOf(items.map((row) => row.digest));
      const last = items.at(-1);
      return {
        items: items.map((row) => imageRecord(row, names.get(row.digest) ?? [])),
        ...(rows.length > query.limit && last ? { next: encodeCursor(last.scanned_at, last.digest) } : {}),
      };
    },
    imageIndex: async () => {
      const rows = await db.selectFrom('images').select(['digest', 'scanned_at']).execute();
      const names = await namesOf(rows.map((row) => row.digest));
      return rows.map((row) => ({ digest: row.digest, scannedAt: row.scanned_at, names: names.get(row.digest) ?? [] }));
    },
  };
};
