// npm run cluster:up / cluster:down / cluster:status: a live test cluster for local work.
//   up     build the binaries when missing, start etcd and kube-apiserver (left running), print the kubeconfig
//   down   stop both by the PIDs recorded in the state directory, and remove it (etcd's data included)
//   status say whether a cluster is running there
// The state directory is $KUBEWARD_CLUSTER_STATE, else <tmpdir>/kubeward-cluster.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBinaries } from './build.mjs';
import { startCluster, stopClusterAt } from './cluster.mjs';

const stateDir = resolve(process.env.KUBEWARD_CLUSTER_STATE || join(tmpdir(), 'kubeward-cluster'));

const running = () => {
  for (const name of ['etcd', 'kube-apiserver']) {
    const pidFile = join(stateDir, `${name}.pid`);
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${stateDir}/`)) return true;
    } catch {
      // gone
    }
  }
  return false;
};

const command = process.argv[2];
try {
  if (command === 'up') {
    if (running()) {
      console.error(`a cluster is already running in ${stateDir}: npm run cluster:down first`);
      process.exit(1);
    }
    await stopClusterAt(stateDir);
    await ensureBinaries();
    const cluster = await startCluster({ stateDir, detached: true });
    const { etcd, kubeApiserver } = cluster.pids();
    console.log(
      [
        `kube-apiserver ${cluster.server} (pid ${kubeApiserver}), etcd ${cluster.etcd} (pid ${etcd})`,
        `state, logs and certificates: ${cluster.stateDir}`,
        `kubeconfig: ${cluster.kubeconfig}`,
        '',
        'Use it with:',
        `  export KUBECONFIG=${cluster.kubeconfig}`,
        `  ${cluster.kubectl} get namespaces`,
        '(no kubelet or scheduler: Pods stay Pending; admin is in system:masters)',
        'Stop it with: npm run cluster:down',
      ].join('\n'),
    );
  } else if (command === 'down') {
    const stopped = await stopClusterAt(stateDir);
    console.log(stopped.length > 0 ? `stopped ${stopped.join(', ')}; removed ${stateDir}` : `no cluster was running in ${stateDir}`);
  } else if (command === 'status') {
    const up = running();
    console.log(up ? `running: ${readFileSync(join(stateDir, 'cluster.json'), 'utf8').trim()}` : `no cluster is running in ${stateDir}`);
    process.exit(up ? 0 : 1);
  } else {
    console.error('usage: node scripts/cluster/cli.mjs up|down|status');
    process.exit(2);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
