/**
 * Configuration shared by every SDK client the handlers make. No endpoint is set here: the SDK
 * honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> by itself.
 */
export function clientConfig() {
  return {
    // The SDK's own retry strategy: exponential backoff with jitter, slower after throttling, and
    // (adaptive mode) a client-side rate limit when the service keeps throttling.
    retryMode: 'adaptive' as const,
    maxAttempts: Number(process.env.CDK_DATASETS_MAX_ATTEMPTS ?? 8),
    customUserAgent: 'cdk-datasets',
  };
}
