/**
 * What the server accepts, checked before a message is stored so the
 * sender learns at once: the message types and versions it handles (else
 * AR, HL7 conditions 200/201/203) and the content each ADT event needs to
 * be applied (else AE with one ERR per problem: a missing PID-3, PV1,
 * PV1-3 on a transfer, MRG-1 on a merge, a date/time that is not one).
 */
import {
  type AckError,
  findSegment,
  getValue,
  type Message,
  type Msh,
  parseHl7DateTime,
  readSegment,
} from '@clinicbridge/hl7';

/**
 * The ADT trigger events this server applies.
 *
 * @example
 * SUPPORTED_TRIGGERS.includes('A02'); // true
 */
export const SUPPORTED_TRIGGERS = [
  'A01',
  'A02',
  'A03',
  'A04',
  'A05',
  'A08',
  'A11',
  'A13',
  'A40',
] as const;

/**
 * One supported trigger event.
 *
 * @example
 * const trigger: AdtTrigger = 'A40';
 */
export type AdtTrigger = (typeof SUPPORTED_TRIGGERS)[number];

const VERSION = /^2\.[3-9](\.\d{1,2})?$/;

/**
 * A verdict on a message: accepted, or answered AE / AR with the reasons.
 *
 * @example
 * const verdict: Verdict = { outcome: 'reject', reason: 'ORU is not handled', errors: [{ condition: 200 }] };
 */
export type Verdict =
  | { outcome: 'accept'; trigger: AdtTrigger }
  | { outcome: 'error' | 'reject'; reason: string; errors: AckError[] };

const reject = (
  condition: AckError['condition'],
  reason: string,
  location?: AckError['location'],
): Verdict => ({
  outcome: 'reject',
  reason,
  errors: [{ condition, message: reason, ...(location ? { location } : {}) }],
});

/**
 * Checks the header (type, trigger, version, control id) and the content
 * the trigger needs.
 *
 * @example
 * const verdict = checkMessage(message, readHeader(message));
 * if (verdict.outcome !== 'accept') reply(buildAck(message, { outcome: verdict.outcome, errors: verdict.errors }));
 */
export function checkMessage(message: Message, msh: Msh): Verdict {
  if (msh.controlId === '') {
    return {
      outcome: 'error',
      reason: 'MSH-10 (message control id) is empty',
      errors: [
        {
          condition: 101,
          location: { segment: 'MSH', field: 10 },
          message: 'MSH-10 (message control id) is required',
        },
      ],
    };
  }
  if (!VERSION.test(msh.versionId)) {
    return reject(
      203,
      `version ${msh.versionId.slice(0, 10) || '(empty)'} is not handled; send 2.3 to 2.9`,
      {
        segment: 'MSH',
        field: 12,
      },
    );
  }
  if (msh.messageType.code !== 'ADT') {
    return reject(
      200,
      `${msh.messageType.code.slice(0, 10) || '(empty)'} messages are not handled; send ADT`,
      {
        segment: 'MSH',
        field: 9,
      },
    );
  }
  const trigger = msh.messageType.triggerEvent as AdtTrigger;
  if (!SUPPORTED_TRIGGERS.includes(trigger)) {
    return reject(
      201,
      `ADT^${trigger.slice(0, 10)} is not handled; send one of ${SUPPORTED_TRIGGERS.join(', ')}`,
      { segment: 'MSH', field: 9, component: 2 },
    );
  }
  const errors = contentErrors(message, trigger);
  if (errors.length > 0) {
    return { outcome: 'error', reason: errors.map((e) => e.message).join('; '), errors };
  }
  return { outcome: 'accept', trigger };
}

function contentErrors(message: Message, trigger: AdtTrigger): AckError[] {
  const errors: AckError[] = [];
  const missing = (segment: string, field: number | undefined, text: string) =>
    errors.push({
      condition: 101,
      location: { segment, ...(field === undefined ? {} : { field }) },
      message: text,
    });
  const pid = readSegment(message, 'PID');
  if (!pid) missing('PID', undefined, 'the PID segment is required');
  else if (pid.identifiers.length === 0)
    missing('PID', 3, 'PID-3 needs at least one patient identifier');
  if (trigger === 'A40') {
    const mrg = readSegment(message, 'MRG');
    if (!mrg || mrg.priorPatientIdentifiers.length === 0) {
      missing('MRG', 1, 'a merge (A40) needs MRG-1, the prior patient identifier');
    }
    return errors;
  }
  const pv1 = findSegment(message, 'PV1');
  if (!pv1) {
    missing('PV1', undefined, `the PV1 segment is required for ${trigger}`);
    return errors;
  }
  if (trigger === 'A02' && getValue(pv1, 3) === '') {
    missing('PV1', 3, 'a transfer (A02) needs the new location in PV1-3');
  }
  for (const [segment, field] of [
    ['PV1', 44],
    ['PV1', 45],
    ['EVN', 2],
    ['EVN', 6],
  ] as const) {
    const value = getValue(findSegment(message, segment), field).trim();
    if (value !== '' && parseHl7DateTime(value) === null) {
      errors.push({
        condition: 102,
        location: { segment, field },
        message: `${segment}-${field} is not an HL7 date/time (YYYYMMDD[HHMM[SS]][+ZZZZ])`,
      });
    }
  }
  return errors;
}
