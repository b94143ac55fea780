import { asSentence, describeError } from '../../../lambda/core/errors';

describe('asSentence', () => {
  test('a service message that ends a sentence gets no second period; one that does not, gets one', () => {
    const taken = Object.assign(new Error('Dataset group shop already exists in this account.'), { name: 'ResourceAlreadyExistsException' });
    expect(`${asSentence(describeError(taken))} The existing one`).toBe('ResourceAlreadyExistsException: Dataset group shop already exists in this account. The existing one');
    expect(asSentence('ThrottlingException: Rate exceeded')).toBe('ThrottlingException: Rate exceeded.');
    expect(asSentence('Is it?')).toBe('Is it?');
  });
});
