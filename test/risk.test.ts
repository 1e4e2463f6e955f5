import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalise, type WorkloadRisk } from '../src/risk/index.js';
import { kubeward } from './support/cli.js';

describe('risk ranking of the demo application', () => {
  it('ranks the cluster-admin, privileged, NodePort-exposed legacy admin first, then the privileged node agent, each with its reasons', async () => {
    const result = await kubeward(['risk', 'examples/', '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const { workloads } = JSON.parse(result.stdout) as { workloads: WorkloadRisk[] };
    assert.equal(workloads.length, 14);
    assert.deepEqual(workloads.slice(0, 2).map((entry) => entry.workload), ['shop/Deployment/legacy-admin', 'ops/DaemonSet/node-agent']);
    const factors = (id: string): string[] => workloads.find((entry) => entry.workload === id)?.factors.map((factor) => factor.id) ?? [];
    assert.deepEqual(factors('shop/Deployment/legacy-admin').sort(), ['image-not-scanned', 'network-isolation', 'policy-violations', 'rbac-permissions', 'service-configuration', 'service-reachability']);
    const legacy = workloads[0] as WorkloadRisk;
    assert.match(legacy.summary, /service account legacy-admin is cluster-admin/);
    assert.match(legacy.summary, /reachable on every node through Service legacy-admin \(NodePort, port 80, 22\)/);
    assert.ok(workloads.every((entry, index) => index === 0 || (workloads[index - 1] as WorkloadRisk).score >= entry.score), 'sorted by score');
    // The hardened, isolated stores rank below every exposed, unisolated shop API.
    const rank = (id: string): number => workloads.findIndex((entry) => entry.workload === id);
    assert.ok(rank('data/StatefulSet/postgres') > rank('shop/Deployment/checkout-api'));
    const top = await kubeward(['risk', 'examples/', '--top', '1']);
    assert.match(top.stdout, /^ {2}1\. shop\/Deployment\/legacy-admin {2}risk \d+\.\d\d\n/);
    assert.doesNotMatch(top.stdout, /\n {2}2\./);
  });

  it('writes a self-contained HTML report: well-formed, no script or external resource, every value escaped', async () => {
    const result = await kubeward(['risk', 'examples/', '--format', 'html']);
    assert.equal(result.code, 0, result.stderr);
    const html = result.stdout;
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.doesNotMatch(html, /<script|<link|src=|href=/i);
    assert.equal((html.match(/<tr><td class="rank">/g) ?? []).length, 14);
    assert.match(html, /<code>shop\/Deployment\/legacy-admin<\/code><\/td><td class="score">\d+\.\d\d<\/td>/);
    assert.match(html, /service account legacy-admin is cluster-admin/);
    const { XMLValidator } = await import('fast-xml-parser');
    // The body (without the doctype) is well-formed as XML: every element closed, every value escaped.
    assert.equal(XMLValidator.validate(html.replace(/^<!doctype html>\n/, '').replace(/<meta[^>]*>/g, '')), true);
  });

  it('normalises raw scores as StackRox does: 1 + raw/saturation × (max − 1), capped', () => {
    assert.equal(normalise(0, 50, 4), 1);
    assert.equal(normalise(25, 50, 4), 2.5);
    assert.equal(normalise(500, 50, 4), 4);
  });
});
