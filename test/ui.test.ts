import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startKubeward, type RunningKubeward } from './support/cli.js';
import { eventually } from './support/eventually.js';
import { repoPath, temporaryDirectory } from './support/repo.js';

/**
 * The web console in a real browser (Debian's chromium) against `kubeward server --demo`: what a
 * user sees on each screen, the drill-downs, a bulk action that changes state through the API,
 * accessibility (axe-core) and a screenshot of each screen in .artifacts/ui/.
 */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const ARTIFACTS = process.env.KUBEWARD_ARTIFACTS ? join(process.env.KUBEWARD_ARTIFACTS, 'ui') : repoPath('.artifacts', 'ui');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

/** No serious or critical axe-core violation on the page as it stands. */
const assertAccessible = async (page: Page, screen: string): Promise<void> => {
  // Evaluated through the DevTools protocol: the console's CSP rightly refuses an injected script tag.
  await page.evaluate(await readFile(AXE, 'utf8'));
  const violations = (await page.evaluate('axe.run(document).then((result) => result.violations)')) as AxeViolation[];
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  assert.deepEqual(
    serious.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join('; ')})`),
    [],
    `${screen}: axe-core`,
  );
};

/** The screen fits 1280×720 across (no sideways scroll), then is saved as a test artefact. */
const assertFitsAndShoot = async (page: Page, name: string): Promise<void> => {
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= 1280, `${name}: ${width} px wide at 1280×720`);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
};

describe('the web console, in chromium, on the demo', () => {
  let server: RunningKubeward;
  let url: string;
  let token: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    });
    assert.ok(response.ok, `${path}: ${response.status}`);
    return (await response.json()) as T;
  };

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const directory = await temporaryDirectory();
    server = startKubeward(['server', '--demo', '--db', join(directory, 'demo.db'), '--port', '0', '--log-level', 'silent'], { cwd: repoPath() });
    const link = (await server.waitForStderr(/console: (http:\/\/127\.0\.0\.1:\d+)\/#token=(kw_\S+)/, 60_000)) as RegExpMatchArray;
    url = link[1] ?? '';
    token = link[2] ?? '';
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  });

  it('is served by kubeward server: client routes get the page with a strict CSP, hashed assets are cached for good, API paths stay JSON', async () => {
    const page = await fetch(`${url}/risk?workload=${encodeURIComponent('demo/shop/Deployment/web')}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'; .*frame-ancestors 'none'/);
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const asset = await fetch(`${url}${script}`);
    assert.deepEqual([asset.status, asset.headers.get('cache-control')], [200, 'public, max-age=31536000, immutable']);
    const missingApi = await fetch(`${url}/api/v1/nothing`);
    assert.deepEqual([missingApi.status, ((await missingApi.json()) as { code: string }).code], [404, 'not-found']);
    assert.equal((await fetch(`${url}/assets/missing.js`)).status, 404, 'a missing file is not the page');
    assert.equal((await fetch(`${url}/violations`, { method: 'POST' })).status, 404, 'only GET falls back to the page');
  });

  it('asks for a token without one, says why a wrong one failed, and signs in from the printed link', async () => {
    await page.goto(`${url}/`);
    await page.getByLabel('API token').fill('kw_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown, revoked or expired' }).waitFor();
    await assertAccessible(page, 'login');
    await assertFitsAndShoot(page, 'login');
    await page.goto(`${url}/#token=${token}`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');
  });

  it('dashboard: open violations by severity, the riskiest workloads and images, CVEs, categories, clusters', async () => {
    const summary = await api<{ total: number; bySeverity: Record<string, number>; byCategory: { category: string }[] }>('/api/v1/violations/summary');
    const open = page.getByRole('region', { name: 'Open violations' });
    await open.getByText(summary.total.toLocaleString('en'), { exact: true }).waitFor();
    assert.ok(summary.total > 0);
    const risky = page.getByRole('region', { name: 'Deployments at most risk' });
    assert.equal(await risky.getByRole('link').first().textContent(), 'shop/checkout-api', 'the riskiest first');
    await page.getByRole('region', { name: 'Images at most risk' }).getByRole('link').first().waitFor();
    await page
      .getByRole('region', { name: 'Violations by category' })
      .getByText(summary.byCategory[0]?.category ?? '')
      .waitFor();
    await page.getByRole('region', { name: 'Clusters' }).getByText('demo', { exact: false }).waitFor();
    const cves = await api<{ items: { severity: string; workloadCount: number; kev?: unknown }[] }>('/api/v1/risk/cves?fixable=true&top=500');
    const critical = cves.items.filter((cve) => cve.severity === 'CRITICAL' && cve.workloadCount > 0).length;
    const fixable = page.getByRole('region', { name: 'Fixable critical CVEs' });
    // The demo's images have no fixable critical CVE: the card says so rather than showing nothing.
    await (critical ? fixable.getByText(String(critical), { exact: true }) : fixable.getByText('No fixable critical CVE in a running image.')).waitFor();
    await assertAccessible(page, 'dashboard');
    await assertFitsAndShoot(page, 'dashboard');

    // The scope bar narrows every widget and stays in the address.
    await page.getByLabel('Namespace').selectOption('shop');
    await page.waitForURL(/namespace=shop/);
    const shop = await api<{ total: number }>('/api/v1/violations/summary?namespace=shop');
    await open.getByText(shop.total.toLocaleString('en'), { exact: true }).waitFor();
    assert.ok(shop.total < summary.total);
    await page.getByLabel('Namespace').selectOption('');
  });

  it('risk: what to fix first in three clicks, the evidence in words, a drawer whose address opens it again; images and CVEs pivot', async () => {
    await page.goto(`${url}/`);
    await page.getByRole('region', { name: 'Deployments at most risk' }).getByRole('link').first().click();
    const drawer = page.getByRole('dialog', { name: 'shop/Deployment/checkout-api' });
    await drawer.getByRole('heading', { name: 'Why it is at risk' }).waitFor();
    const detail = await api<{ risk: { factors: { name: string; evidence: string[] }[] } }>(
      `/api/v1/workloads/${encodeURIComponent('demo/shop/Deployment/checkout-api')}`,
    );
    const first = detail.risk.factors[0];
    await drawer.getByText(first?.evidence[0] ?? '', { exact: true }).waitFor();
    await assertAccessible(page, 'risk drawer');
    await assertFitsAndShoot(page, 'risk-workload');
    const shared = page.url();
    await page.goto(shared);
    await page.getByRole('dialog', { name: 'shop/Deployment/checkout-api' }).getByRole('heading', { name: 'History' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('table', { name: 'Workloads by risk' }).waitFor();
    assert.ok((await page.getByRole('table', { name: 'Workloads by risk' }).locator('tbody tr[data-row-id]').count()) > 5);
    await assertAccessible(page, 'risk');
    await assertFitsAndShoot(page, 'risk');

    await page.getByRole('link', { name: 'CVEs' }).click();
    await page.getByLabel('Fixable only').click();
    await page.waitForURL(/fixable=true/);
    const cves = page.getByRole('table', { name: 'CVEs by risk' });
    await cves.locator('tbody tr[data-row-id]').first().click();
    const cve = page.getByRole('dialog').filter({ has: page.getByRole('heading', { name: 'Packages' }) });
    await cve.getByText('fixed in', { exact: false }).first().waitFor();
    await assertAccessible(page, 'cves');
    await assertFitsAndShoot(page, 'risk-cves');
    // CVE → workload in one click, then back to the CVE.
    await cve
      .getByRole('link', { name: /shop\/Deployment\/checkout-api/ })
      .first()
      .click();
    await page.getByRole('dialog', { name: 'shop/Deployment/checkout-api' }).waitFor();
    await page.keyboard.press('Escape');
    await cve.getByRole('heading', { name: 'Packages' }).waitFor();
    // CVE → image, whose SBOM downloads.
    await cve
      .getByRole('link', { name: /checkout-api:latest/ })
      .first()
      .click();
    const image = page.getByRole('dialog', { name: 'registry.example.com/shop/checkout-api:latest' });
    const [sbom] = await Promise.all([page.waitForEvent('download'), image.getByRole('button', { name: 'CycloneDX' }).click()]);
    const bom = JSON.parse(await readFile((await sbom.path()) ?? '', 'utf8')) as { bomFormat: string };
    assert.equal(bom.bomFormat, 'CycloneDX');
  });

  it('violations: substring search, a bulk resolve that the API then shows, the detail with the fix, CSV export', async () => {
    await page.goto(`${url}/violations`);
    const table = page.getByRole('table', { name: 'Violations' });
    await table.locator('tbody tr[data-row-id]').first().waitFor();
    await page.getByRole('searchbox').fill('rivileg');
    await page.waitForURL(/search=rivileg/);
    const matching = await api<{ items: { id: string }[] }>('/api/v1/violations?search=rivileg&limit=500');
    // Polled from here: a string predicate would be evaluated in the page, which its CSP forbids.
    await eventually(async () => assert.equal(await table.locator('tbody tr[data-row-id]').count(), matching.items.length));
    assert.ok(matching.items.length >= 2);
    const picked = await table.locator('tbody tr[data-row-id]').evaluateAll((rows) => rows.slice(0, 2).map((row) => row.getAttribute('data-row-id') ?? ''));
    for (const id of picked) await table.getByLabel(`Select row ${id}`).check();
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('status').filter({ hasText: '2 changed' }).waitFor();
    for (const id of picked) assert.equal((await api<{ state: string }>(`/api/v1/violations/${id}`)).state, 'resolved', 'resolved through the API');
    await assertAccessible(page, 'violations');
    await assertFitsAndShoot(page, 'violations');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const lines = (await readFile((await csv.path()) ?? '', 'utf8')).trim().split('\r\n');
    assert.equal(lines.length, matching.items.length - 2 + 1, 'the header and the still active matches');

    await table.locator('tbody tr[data-row-id]').first().click();
    const detail = page.getByRole('dialog', { name: 'Violation' });
    await detail.getByRole('heading', { name: 'How to fix it' }).waitFor();
    assert.ok(((await detail.locator('.remediation').textContent()) ?? '').length > 10);
    await detail.getByText('Offending field').waitFor();
    await assertAccessible(page, 'violation drawer');
    await assertFitsAndShoot(page, 'violation');
  });

  it('clusters: sensor health, versions, counts', async () => {
    await page.goto(`${url}/clusters`);
    const row = page.getByRole('table', { name: 'Clusters' }).getByRole('row', { name: /demo/ });
    await row.waitFor();
    const [cluster] = (await api<{ items: { workloads: number }[] }>('/api/v1/clusters')).items;
    await row.getByRole('cell', { name: String(cluster?.workloads), exact: true }).waitFor();
    await assertAccessible(page, 'clusters');
    await assertFitsAndShoot(page, 'clusters');
  });

  it('exceptions: asked for from violations, four eyes refused with the reason, approved by another admin; the violation is excepted', async () => {
    await page.goto(`${url}/violations?search=latest`);
    const table = page.getByRole('table', { name: 'Violations' });
    await table.locator('tbody tr[data-row-id]').first().waitFor();
    const id = (await table.locator('tbody tr[data-row-id]').first().getAttribute('data-row-id')) ?? '';
    await table.getByLabel(`Select row ${id}`).check();
    await page.getByLabel('Reason for the exception').fill('pinned by digest in the next release');
    await page.getByRole('button', { name: 'Request exception' }).click();
    await page.getByRole('status').filter({ hasText: 'changed' }).waitFor();

    await page.goto(`${url}/exceptions?state=requested`);
    const row = page.getByRole('table', { name: 'Exceptions' }).getByRole('row', { name: /pinned by digest/ });
    await row.getByRole('button', { name: 'Approve' }).click();
    await row.getByRole('alert').filter({ hasText: 'four-eyes' }).waitFor();
    await assertAccessible(page, 'exceptions');
    await assertFitsAndShoot(page, 'exceptions');

    const second = await api<{ secret: string }>('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'ui-second-admin', role: 'admin' }) });
    await page.goto(`${url}/exceptions?state=requested#token=${second.secret}`);
    await page
      .getByRole('table', { name: 'Exceptions' })
      .getByRole('row', { name: /pinned by digest/ })
      .getByRole('button', { name: 'Approve' })
      .click();
    await page.getByRole('table', { name: 'Exceptions' }).waitFor({ state: 'detached' });
    assert.equal((await api<{ state: string }>(`/api/v1/violations/${id}`)).state, 'excepted');
    await page.goto(`${url}/#token=${token}`);
  });

  it('API tokens: made with a scope, the secret shown once, revoked; the audit log records it', async () => {
    await page.goto(`${url}/tokens`);
    const form = page.getByRole('form', { name: 'New token' });
    await form.getByLabel('Name', { exact: true }).fill('ui-shop-viewer');
    await form.getByLabel('Cluster').fill('demo');
    await form.getByLabel('Namespace').fill('shop');
    await form.getByRole('button', { name: 'Make token' }).click();
    const secret = (await form.getByRole('status').locator('code').textContent()) ?? '';
    assert.match(secret, /^kw_/);
    const seen = await fetch(`${url}/api/v1/violations?limit=500`, { headers: { authorization: `Bearer ${secret}` } });
    const items = ((await seen.json()) as { items: { namespace: string }[] }).items;
    assert.deepEqual([...new Set(items.map((item) => item.namespace))], ['shop'], 'the token sees its namespace only');
    await assertAccessible(page, 'tokens');
    await assertFitsAndShoot(page, 'tokens');
    await page.getByRole('button', { name: 'Revoke ui-shop-viewer' }).click();
    await page
      .getByRole('row', { name: /ui-shop-viewer/ })
      .getByRole('cell', { name: 'revoked' })
      .waitFor();
    assert.equal((await fetch(`${url}/api/v1/violations`, { headers: { authorization: `Bearer ${secret}` } })).status, 401);

    await page.goto(`${url}/audit`);
    await page.getByRole('table', { name: 'Audit log' }).getByText('token.revoke').first().waitFor();
    await page.getByLabel(/^Action/).fill('violation.resolve');
    await page.waitForURL(/action=violation.resolve/);
    await page.getByRole('table', { name: 'Audit log' }).getByText('violation.resolve').first().waitFor();
    assert.equal(await page.getByRole('table', { name: 'Audit log' }).getByText('token.revoke').count(), 0);
    await assertAccessible(page, 'audit');
    await assertFitsAndShoot(page, 'audit');
  });

  it('policies: searched, the document and versions in a drawer, disabled everywhere (its violations resolve), enabled again', async () => {
    await page.goto(`${url}/policies`);
    await page.getByRole('table', { name: 'Policies' }).locator('tbody tr[data-row-id]').first().waitFor();
    const all = await api<{ items: { id: string }[] }>('/api/v1/policies');
    await page.getByText(`${all.items.length} policies`).waitFor();
    const [top] = (await api<{ byPolicy: { id: string; name: string; count: number }[] }>('/api/v1/violations/summary')).byPolicy;
    assert.ok(top && top.count > 0);
    await page.getByRole('searchbox').fill(top.id);
    await page.waitForURL(new RegExp(`search=${top.id}`));
    const row = page.getByRole('table', { name: 'Policies' }).locator(`tbody tr[data-row-id="${top.id}"]`);
    await row.click();
    const drawer = page.getByRole('dialog', { name: `Policy ${top.id}` });
    await drawer.locator('pre').filter({ hasText: 'kind: Policy' }).waitFor();
    await drawer.getByText(/^v1 create by/).waitFor();
    await assertAccessible(page, 'policies');
    await assertFitsAndShoot(page, 'policies');
    await page.keyboard.press('Escape');
    await row.getByRole('button', { name: `Disable ${top.name}` }).click();
    await row.getByRole('button', { name: `Enable ${top.name}` }).waitFor();
    // Every cluster is judged again a moment after the change.
    await eventually(async () => {
      const left = await api<{ byPolicy: { id: string }[] }>('/api/v1/violations/summary?policies=500');
      assert.equal(
        left.byPolicy.some((policy) => policy.id === top.id),
        false,
        'a disabled policy leaves no open violation',
      );
    });
    await row.getByRole('button', { name: `Enable ${top.name}` }).click();
    await row.getByRole('button', { name: `Disable ${top.name}` }).waitFor();
  });

  it('shows loading, empty, error (the API code and message) and forbidden states', async () => {
    await page.route('**/api/v1/clusters', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'internal', message: 'internal error (request r-1)' }),
      });
    });
    await page.goto(`${url}/clusters`);
    await page.getByRole('status').filter({ hasText: 'Loading clusters' }).waitFor();
    const failed = page.getByRole('alert').filter({ hasText: 'internal error (request r-1)' });
    await failed.waitFor({ timeout: 15_000 });
    assert.match((await failed.textContent()) ?? '', /internal/);
    await page.unroute('**/api/v1/clusters');

    await page.goto(`${url}/violations?search=${encodeURIComponent('no such thing anywhere')}`);
    await page.getByText('No violation matches.').waitFor();

    const sensor = await api<{ secret: string }>('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'ui-sensor', role: 'sensor' }) });
    await page.goto(`${url}/#token=${sensor.secret}`);
    await page.getByRole('alert').filter({ hasText: 'Not for this token.' }).first().waitFor();
    await assertFitsAndShoot(page, 'forbidden');
    await page.goto(`${url}/#token=${token}`);
  });
});
