import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { clientConfig } from '../core/client-config';

let client: PersonalizeClient | undefined;

/** One client per Lambda container; tests replace its calls with aws-sdk-client-mock. */
export function personalize(): PersonalizeClient {
  client ??= new PersonalizeClient(clientConfig());
  return client;
}
