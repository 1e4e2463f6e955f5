export {
  computeConnectivity,
  computeIsolation,
  type Connection,
  type ConnectivityMap,
  type ExternalGrant,
  type Isolation,
  type NetworkEndpoint,
  type NetworkProblem,
} from './engine.js';
export { CidrError, IpSet, parseCidr, rangeToCidrs, type IpRange } from './ip.js';
export {
  buildNetworkMap,
  exposures,
  externalEntities,
  focusMap,
  namespaceMap,
  type Exposure,
  type ExternalConnection,
  type ExternalEntity,
  type NetworkMap,
} from './map.js';
export { PortSet, PROTOCOLS, type PortRange } from './ports.js';
export { diffConnectivity, type ConnectionChange, type NetworkDiff } from './diff.js';
export { DEFAULT_DNS, flowsFromServices, generatePolicies, parseFlows, stableSelector, type Flow, type FlowProblem, type GenerateOptions } from './generate.js';
export { networkGraph, type GraphEdge, type GraphNode, type NetworkGraph } from './graph.js';
export { CniIsolation, cniPolicyId, type CniSelecting } from './cni.js';
