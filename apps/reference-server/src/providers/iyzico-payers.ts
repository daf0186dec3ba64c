/**
 * iyzico asks for the payer's identity with every checkout; ClinicBridge
 * does not keep it. The checkout hands the payer given in its request to
 * the adapter for the duration of one call, by reference, and forgets it.
 */
import type { IyzicoBuyer } from '@clinicbridge/adapters/iyzico';

const handedOver = new Map<string, IyzicoBuyer>();

/**
 * Runs `call` with `payer` available to the iyzico adapter for `reference`.
 *
 * @example
 * const intent = await withIyzicoPayer(checkoutId, payer, () => gateway.createIntent(input));
 */
export async function withIyzicoPayer<T>(
  reference: string,
  payer: IyzicoBuyer,
  call: () => Promise<T>,
): Promise<T> {
  handedOver.set(reference, payer);
  try {
    return await call();
  } finally {
    handedOver.delete(reference);
  }
}

/**
 * The adapter's `resolveBuyer`: the payer handed over for `reference`.
 *
 * @example
 * createIyzicoGateway({ apiKey, secretKey, resolveBuyer: resolveIyzicoPayer });
 */
export async function resolveIyzicoPayer(reference: string): Promise<IyzicoBuyer> {
  const payer = handedOver.get(reference);
  if (!payer) throw new Error('no payer was handed over for this iyzico checkout');
  return payer;
}
