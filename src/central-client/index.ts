/** The client side of central's API, shared by the sensor, `kubeward push` and the admission webhook. */
export { CentralError, connectToCentral, type CentralClient, type CentralConnection } from './client.js';
export { sensorLink } from './sensor-link.js';
