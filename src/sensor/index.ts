/** The sensor: watches a cluster into the model and reports DEPLOY-stage violations as they appear and resolve. */
export { Sensor, type SensorEvent, type SensorOptions, type SensorState } from './sensor.js';
export { WATCHED_RESOURCES, type WatchedResource } from './resources.js';
