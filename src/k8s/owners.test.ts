import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeConnectivity } from '../network/engine.js';
import { normaliseDocument } from './normalise.js';
import { groupByController } from './owners.js';
import { buildSnapshot } from './snapshot.js';
import { parseYamlStream } from './yaml.js';

/** A `kubectl get pods,rs -o yaml` dump: pods carry ownerReferences and the labels their controllers stamp. */
const pod = (name: string, owner: string | undefined, labels: Record<string, string>): string => `
- apiVersion: v1
  kind: Pod
  metadata:
    name: ${name}
    namespace: shop
    uid: uid-${name}
    labels: ${JSON.stringify(labels)}
${owner ? `    ownerReferences: [{apiVersion: apps/v1, kind: ${owner.split('/')[0]}, name: ${owner.split('/')[1]}, uid: uid-${owner.split('/')[1]}, controller: true, blockOwnerDeletion: true}]\n` : ''}  spec:
    containers: [{name: app, image: registry.example.com/${name.split('-')[0]}:1, ports: [{containerPort: 8080}]}]`;

const DUMP = `apiVersion: v1
kind: List
items:${[
  pod('web-7d4b9c8f6d-x2k4f', 'ReplicaSet/web-7d4b9c8f6d', { app: 'web', 'pod-template-hash': '7d4b9c8f6d' }),
  pod('web-7d4b9c8f6d-q8p2m', 'ReplicaSet/web-7d4b9c8f6d', { app: 'web', 'pod-template-hash': '7d4b9c8f6d' }),
  pod('web-5f9d6c7b4-zz9qk', 'ReplicaSet/web-5f9d6c7b4', { app: 'web', 'pod-template-hash': '5f9d6c7b4' }),
  pod('db-0', 'StatefulSet/db', { app: 'db', 'controller-revision-hash': 'db-6c9f8', 'statefulset.kubernetes.io/pod-name': 'db-0' }),
  pod('db-1', 'StatefulSet/db', { app: 'db', 'controller-revision-hash': 'db-6c9f8', 'statefulset.kubernetes.io/pod-name': 'db-1' }),
  pod('api-6b8f7c5d9-abcde', 'ReplicaSet/api-6b8f7c5d9', { app: 'api', 'pod-template-hash': '6b8f7c5d9' }),
  pod('debug', undefined, { app: 'debug' }),
].join('')}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata:
    name: api-6b8f7c5d9
    namespace: shop
    uid: uid-api-6b8f7c5d9
    labels: {app: api, pod-template-hash: 6b8f7c5d9}
    ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: api, uid: uid-api, controller: true}]
  spec:
    replicas: 1
    selector: {matchLabels: {app: api, pod-template-hash: 6b8f7c5d9}}
    template:
      metadata: {labels: {app: api, pod-template-hash: 6b8f7c5d9}}
      spec: {containers: [{name: app, image: registry.example.com/api:1}]}
`;

const snapshot = () =>
  buildSnapshot(
    parseYamlStream(DUMP).flatMap(
      (document) => normaliseDocument(document.value, { file: 'dump.yaml', documentIndex: document.index, defaultNamespace: 'default' }).objects,
    ),
  );

describe('workloads grouped by their controllers', () => {
  it('pods of a dump are counted under the controllers their ownerReferences name', () => {
    const grouped = groupByController(snapshot().workloads);
    assert.deepEqual(
      grouped.workloads.map((workload) => [`${workload.kind}/${workload.name}`, workload.replicas, workload.podLabels, workload.inferredFrom]),
      [
        ['Deployment/web', 3, { app: 'web' }, ['Pod web-7d4b9c8f6d-x2k4f', 'Pod web-7d4b9c8f6d-q8p2m', 'Pod web-5f9d6c7b4-zz9qk']],
        ['StatefulSet/db', 2, { app: 'db' }, ['Pod db-0', 'Pod db-1']],
        ['Deployment/api', 1, { app: 'api' }, ['Pod api-6b8f7c5d9-abcde', 'ReplicaSet api-6b8f7c5d9']],
        ['Pod/debug', undefined, { app: 'debug' }, undefined],
      ],
    );
    assert.equal(grouped.memberOf.get('shop/Pod/db-1'), 'shop/StatefulSet/db');
    assert.equal(grouped.memberOf.get('shop/ReplicaSet/api-6b8f7c5d9'), 'shop/Deployment/api');
  });

  it('the network map has one endpoint per controller, and no self edges lost', () => {
    const map = computeConnectivity(snapshot());
    assert.deepEqual(
      map.endpoints.map((endpoint) => endpoint.id),
      ['shop/Deployment/web', 'shop/StatefulSet/db', 'shop/Deployment/api', 'shop/Pod/debug'],
    );
    assert.ok(
      map.connections.some((connection) => connection.from === 'shop/Deployment/web' && connection.to === 'shop/Deployment/web'),
      'pods of one Deployment talk to each other',
    );
  });
});
