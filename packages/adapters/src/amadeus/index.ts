/**
 * @clinicbridge/adapters/amadeus — `FlightSearch` and `HotelSearch` on
 * Amadeus Self-Service, with the Travel Desk (manual tasks) as fallback.
 */
export { type AmadeusOptions, createAmadeusClient } from './client.ts';
export { mapAmadeusError } from './errors.ts';
export { createAmadeusFlights, toFlightOption } from './flights.ts';
export { type AmadeusHotelOptions, createAmadeusHotels, toStayOption } from './hotels.ts';
export { decodeOfferToken, durationMinutes, encodeOfferToken } from './offer-token.ts';
