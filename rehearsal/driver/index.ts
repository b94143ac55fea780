/**
 * A driver that plays CloudFormation and the CDK Provider framework against a synthesized cloud
 * assembly, running the custom-resource handlers in this process.
 *
 *   const driver = new Driver({ env: { AWS_ENDPOINT_URL: 'http://localhost:4566' }, timeScale: 0.01 });
 *   const created = await driver.deploy(app.synth().directory, 'MyStack');
 *   const updated = await driver.update(otherApp.synth(), 'MyStack');
 *   const deleted = await driver.destroy();
 */
export { Driver, isCustomResourceType } from './driver';
export { scaledClock } from './clock';
export { loadStack } from './assembly';
export type { LoadedStack, StackSource, Template, TemplateResource } from './assembly';
export { CREATE_FAILED_MARKER, MISSING_PHYSICAL_ID_MARKER } from './provider';
export type {
  CfnRequest, CfnResponse, CustomResourceDescription, DeployedResource, DriverOptions, DriverRecord, HandlerCall,
  HandlerDescription, OperationName, OperationResult, OrphanedResource, ProgressEvent, ProviderDescription, RequestRecord,
  RequestType, ResourceFailure, ResourceStatus, RetainedResource, StackStatus, WaiterDescription,
} from './types';
