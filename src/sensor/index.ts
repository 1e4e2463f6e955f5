/** The sensor: watches a cluster into the model and reports DEPLOY-stage violations as they appear and resolve, or streams it to central. */
export { Sensor, type SensorEvent, type SensorObserver, type SensorOptions, type SensorState } from './sensor.js';
export { Shipper, type CentralLink, type ChangeBatch, type ShipperCounters, type ShipperEvent, type ShipperOptions, type SnapshotBatch } from './shipper.js';
export { WATCHED_RESOURCES, type WatchedResource } from './resources.js';
export { serverVersion } from './version.js';
