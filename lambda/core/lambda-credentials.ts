/**
 * Stands in for `@aws-sdk/credential-provider-node` in the handler bundles (an esbuild alias in
 * scripts/bundle-handlers.ts). A Lambda function's credentials are always in its environment, so
 * the default chain's SSO, profile, process and instance-metadata providers, with the STS and
 * SSO-OIDC clients they carry (about 90 KiB minified), would never run there.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
