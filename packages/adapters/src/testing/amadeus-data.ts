/**
 * Sample Amadeus payloads for the fake: flight offers, hotels and hotel offers
 * in the documented shapes.
 */
/**
 * A flight offer as Flight Offers Search returns it: direct (business) or one stop (economy).
 *
 * @example
 * flightOffer('1', 'TK', '1980', 0, '912.40');
 */
export const flightOffer = (
  id: string,
  carrier: string,
  number: string,
  stops: 0 | 1,
  total: string,
) => ({
  type: 'flight-offer',
  id,
  source: 'GDS',
  instantTicketingRequired: false,
  nonHomogeneous: false,
  oneWay: false,
  lastTicketingDate: '2026-11-30',
  numberOfBookableSeats: stops === 0 ? 2 : 9,
  itineraries: [
    {
      duration: stops === 0 ? 'PT3H55M' : 'PT7H10M',
      segments:
        stops === 0
          ? [
              {
                departure: { iataCode: 'LHR', terminal: '2', at: '2026-12-01T11:35:00' },
                arrival: { iataCode: 'IST', at: '2026-12-01T17:30:00' },
                carrierCode: carrier,
                number,
                aircraft: { code: '333' },
                duration: 'PT3H55M',
                id: '1',
                numberOfStops: 0,
              },
            ]
          : [
              {
                departure: { iataCode: 'LHR', at: '2026-12-01T07:00:00' },
                arrival: { iataCode: 'AMS', at: '2026-12-01T09:15:00' },
                carrierCode: carrier,
                number,
                aircraft: { code: '73H' },
                duration: 'PT1H15M',
                id: '1',
                numberOfStops: 0,
              },
              {
                departure: { iataCode: 'AMS', at: '2026-12-01T10:30:00' },
                arrival: { iataCode: 'IST', at: '2026-12-01T16:10:00' },
                carrierCode: carrier,
                number: '1957',
                aircraft: { code: '73H' },
                duration: 'PT3H40M',
                id: '2',
                numberOfStops: 0,
              },
            ],
    },
  ],
  price: {
    currency: 'EUR',
    total,
    base: total,
    grandTotal: total,
    fees: [{ amount: '0.00', type: 'SUPPLIER' }],
  },
  pricingOptions: {
    fareType: ['PUBLISHED'],
    includedCheckedBagsOnly: stops === 0,
    refundableFare: stops === 0,
  },
  validatingAirlineCodes: [carrier],
  travelerPricings: [
    {
      travelerId: '1',
      fareOption: 'STANDARD',
      travelerType: 'ADULT',
      price: { currency: 'EUR', total, base: total },
      fareDetailsBySegment: [
        {
          segmentId: '1',
          cabin: stops === 0 ? 'BUSINESS' : 'ECONOMY',
          fareBasis: 'XX',
          class: 'J',
          includedCheckedBags: { quantity: stops === 0 ? 2 : 0 },
        },
      ],
    },
  ],
});

/**
 * Hotels near a clinic in Istanbul, as Hotel List by geocode returns them.
 *
 * @example
 * HOTELS.map((h) => h.hotelId);
 */
export const HOTELS = [
  {
    chainCode: 'RT',
    iataCode: 'IST',
    dupeId: 1,
    name: 'Maslak Recovery Residence',
    hotelId: 'RTISTMAS',
    geoCode: { latitude: 41.11, longitude: 29.02 },
    address: { countryCode: 'TR' },
    distance: { value: 0.4, unit: 'KM' },
    rating: '4',
    amenities: ['KITCHEN', 'WHEELCHAIR_ACCESSIBLE'],
  },
  {
    chainCode: 'HI',
    iataCode: 'IST',
    dupeId: 2,
    name: 'Levent Business Hotel',
    hotelId: 'HIISTLEV',
    geoCode: { latitude: 41.08, longitude: 29.01 },
    address: { countryCode: 'TR' },
    distance: { value: 2.1, unit: 'KM' },
    rating: '5',
  },
];

/**
 * The offer Hotel Search v3 returns for each fake hotel.
 *
 * @example
 * hotelOffer('RTISTMAS', '2026-12-01', '2026-12-08');
 */
export const hotelOffer = (hotelId: string, checkInDate: string, checkOutDate: string) =>
  hotelId === 'RTISTMAS'
    ? {
        id: 'OFRTISTMAS01',
        checkInDate,
        checkOutDate,
        rateCode: 'RAC',
        boardType: 'BREAKFAST',
        room: {
          type: 'A2K',
          typeEstimated: { category: 'APARTMENT', beds: 2, bedType: 'TWIN' },
          description: {
            text: 'Two-bedroom apartment with kitchenette, halal kitchen on request, sofa bed for a companion',
            lang: 'EN',
          },
        },
        guests: { adults: 2 },
        price: {
          currency: 'EUR',
          base: '630.00',
          total: '700.00',
          variations: { average: { base: '90.00' } },
        },
        policies: {
          paymentType: 'guarantee',
          refundable: { cancellationRefund: 'REFUNDABLE_UP_TO_DEADLINE' },
        },
      }
    : {
        id: 'OFHIISTLEV01',
        checkInDate,
        checkOutDate,
        rateCode: 'RAC',
        room: {
          type: 'B1K',
          typeEstimated: { category: 'STANDARD_ROOM', beds: 1, bedType: 'KING' },
          description: { text: 'Standard room, king bed', lang: 'EN' },
        },
        guests: { adults: 2 },
        price: { currency: 'EUR', total: '840.00' },
        policies: { paymentType: 'deposit' },
      };
