/** EVN, event type: when the event was recorded and happened, and why. */
import { type Cwe, type Hd, readCwe, readHd, readXcn, type Xcn } from '../datatypes/composite.ts';
import type { Segment } from '../message/types.ts';
import { list, one, text } from './fields.ts';

/**
 * The EVN segment, typed. EVN-1 repeats MSH-9.2 in older versions and is
 * not always kept in step by senders: take the trigger event from MSH-9.
 *
 * @example
 * readEvn(evnSegment).eventOccurred; // '20260101093000'
 */
export interface Evn {
  eventTypeCode: string;
  /** EVN-2, as written. */
  recordedDateTime: string;
  plannedEventDateTime: string;
  eventReasonCode: Cwe;
  operators: Xcn[];
  /** EVN-6, as written: when the event really happened. */
  eventOccurred: string;
  eventFacility: Hd;
}

/**
 * Reads an EVN segment.
 *
 * @example
 * readEvn(findSegment(message, 'EVN')!).recordedDateTime; // '20290801070624+0115'
 */
export function readEvn(segment: Segment): Evn {
  return {
    eventTypeCode: text(segment, 1),
    recordedDateTime: text(segment, 2),
    plannedEventDateTime: text(segment, 3),
    eventReasonCode: one(segment, 4, readCwe),
    operators: list(segment, 5, readXcn),
    eventOccurred: text(segment, 6),
    eventFacility: one(segment, 7, readHd),
  };
}
