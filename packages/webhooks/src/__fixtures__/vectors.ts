/**
 * Typed access to the published vectors in vectors.json (copied verbatim
 * from /shared/fixtures/webhooks; each entry names its source).
 */
import vectors from './vectors.json' with { type: 'json' };

export const standardSignVectors = vectors.standard_webhooks.sign_vectors;
export const standardNegative = vectors.standard_webhooks.negative_vectors;
export const specExampleHeader = vectors.standard_webhooks.spec_example_header_not_verifiable;
export const v1aVector = vectors.standard_webhooks.v1a_vector;
export const githubVector = vectors.github_x_hub_signature_256;
export const stripeVector = vectors.stripe.generated_with_stripe_23_1_0;
export const convoyVectors = vectors.convoy.vectors;
