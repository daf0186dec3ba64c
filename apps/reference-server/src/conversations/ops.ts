/**
 * The Travel Desk's flight search, `/ops/travel`: an operator picks the
 * clinic, names the case and the journey, and the server searches Amadeus
 * (../providers/travel.ts) and records `travel.offer.generated` with the
 * normalised options, which reach the partners subscribed to it. Behind the
 * operator gate and the same-origin check of every `/ops` action; each
 * search is in the operator trail. Without Amadeus credentials the page says
 * so; while Amadeus is down the search becomes a manual task.
 */
import { type FlightSearch, fromMinorUnits } from '@clinicbridge/adapters';
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { recordOperatorAction } from '../console/audit.ts';
import { operatorConfig } from '../console/config.ts';
import { requireOperator } from '../console/feature.ts';
import { type Notice, opsPage } from '../console/pages/layout.ts';
import { originPolicy, sameOrigin } from '../console/same-origin.ts';
import { type AppContext, readSection } from '../feature.ts';
import type { AppEnv } from '../http/context.ts';
import { sendPage } from '../http/page.ts';
import { type FlightOfferOutcome, type FlightOfferRequest, searchFlightOffers } from './offers.ts';

const CASE = /^[A-Za-z0-9_-]{1,64}$/;
const IATA = /^[A-Z]{3}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TENANT = /^ten_[0-9A-Za-z]{16,64}$/;

/** The form's fields, or what is wrong with them. */
function readForm(form: Record<string, unknown>): FlightOfferRequest | string {
  const field = (name: string) => {
    const value = form[name];
    return typeof value === 'string' ? value.trim() : '';
  };
  const tenantId = field('tenantId');
  const caseId = field('caseId');
  const origin = field('origin').toUpperCase();
  const destination = field('destination').toUpperCase();
  const departureDate = field('departureDate');
  const returnDate = field('returnDate');
  const adults = Number(field('adults') || '1');
  if (!TENANT.test(tenantId)) return 'Pick the clinic the case belongs to.';
  if (!CASE.test(caseId))
    return 'The case reference is 1 to 64 letters, digits, dashes or underscores.';
  if (!IATA.test(origin) || !IATA.test(destination))
    return 'From and To are three-letter IATA airport codes (LHR, IST).';
  const valid = (d: string) => DATE.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`));
  if (!valid(departureDate) || (returnDate !== '' && !valid(returnDate)))
    return 'Dates are YYYY-MM-DD.';
  if (!Number.isInteger(adults) || adults < 1 || adults > 9)
    return 'Travellers is a whole number from 1 to 9.';
  return {
    tenantId,
    caseId,
    origin,
    destination,
    departureDate,
    ...(returnDate ? { returnDate } : {}),
    adults,
  };
}

function results(outcome: FlightOfferOutcome | null) {
  if (!outcome) return '';
  if (outcome.kind === 'manual')
    return html`<p>Amadeus could not answer: manual task <code>${outcome.manualTaskId}</code> is on <a href="/ops/tasks">Manual tasks</a>.</p>`;
  if (outcome.kind === 'none') return html`<p class="empty">No flights found.</p>`;
  return html`<table><thead><tr><th>Flight</th><th>Departs</th><th>Arrives</th><th>Stops</th><th>Cabin</th><th>Fare</th></tr></thead><tbody>
${outcome.options.map(
  (o) =>
    html`<tr><td>${o.flightNumber}</td><td>${o.depart.airport} ${o.depart.at}</td><td>${o.arrive.airport} ${o.arrive.at}</td><td>${o.stops}</td><td>${o.cabin}</td><td>${fromMinorUnits(o.indicativeFare.amountMinor, o.indicativeFare.currency)} ${o.indicativeFare.currency}</td></tr>`,
)}
</tbody></table>`;
}

/**
 * Mounts `GET /ops/travel` (the form) and `POST /ops/travel/flight-offers` (the search).
 *
 * @example
 * mountTravelOpsRoutes(app, context, () => context.providers.travel?.flights);
 */
export function mountTravelOpsRoutes(
  app: Hono<AppEnv>,
  context: AppContext,
  flights: () => FlightSearch | undefined,
): void {
  const { db, now } = context;
  const guard = requireOperator(readSection(context.config, operatorConfig), now);
  app.use('/ops/travel', guard);
  app.use('/ops/travel/*', guard, sameOrigin(originPolicy(context.config)));

  const render = async (
    c: Context<AppEnv>,
    notice: Notice | null,
    outcome: FlightOfferOutcome | null,
    status: 200 | 400 | 503 = 200,
  ) => {
    const tenants = await db
      .selectFrom('tenants')
      .select(['id', 'name'])
      .orderBy('name')
      .limit(500)
      .execute();
    c.header('Cache-Control', 'no-store');
    return sendPage(
      c,
      opsPage({
        title: 'Flight offers',
        path: '/ops/travel',
        notice,
        staff: c.get('staff'),
        body: html`${results(outcome)}
<h2>Search flights for a case</h2>
${
  flights()
    ? html`<form method="post" action="/ops/travel/flight-offers">
<p><label>Clinic <select name="tenantId">${tenants.map((t) => html`<option value="${t.id}">${t.name}</option>`)}</select></label></p>
<p><label>Case reference <input name="caseId" required maxlength="64"></label></p>
<p><label>From <input name="origin" required size="3" maxlength="3"></label> <label>To <input name="destination" required size="3" maxlength="3"></label></p>
<p><label>Departure <input name="departureDate" type="date" required></label> <label>Return <input name="returnDate" type="date"></label></p>
<p><label>Travellers <input name="adults" type="number" min="1" max="9" value="1"></label></p>
<p><button type="submit">Search and offer</button></p>
</form>`
    : html`<p class="empty">No flight supplier is configured (set AMADEUS_CLIENT_ID and AMADEUS_CLIENT_SECRET); book flights by hand.</p>`
}`,
      }),
      status,
    );
  };

  app.get('/ops/travel', (c) => render(c, null, null));

  app.post('/ops/travel/flight-offers', async (c) => {
    const supplier = flights();
    if (!supplier)
      return render(c, { text: 'No flight supplier is configured.', error: true }, null, 503);
    const request = readForm(await c.req.parseBody());
    if (typeof request === 'string') return render(c, { text: request, error: true }, null, 400);
    const tenant = await db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', request.tenantId)
      .executeTakeFirst();
    if (!tenant) return render(c, { text: 'No such clinic.', error: true }, null, 400);
    const outcome = await searchFlightOffers(db, supplier, request, now());
    await recordOperatorAction(db, {
      operator: c.get('staff'),
      action: 'travel.flight_offers',
      entityId: request.caseId,
      tenantId: request.tenantId,
      outcome: outcome.kind,
      requestId: c.get('requestId') ?? null,
      now: now(),
    });
    const text =
      outcome.kind === 'offered'
        ? `${outcome.options.length} flight option(s) offered for case ${request.caseId}.`
        : outcome.kind === 'none'
          ? `No flights found for case ${request.caseId}; nothing was offered.`
          : `Amadeus is unavailable; the search for case ${request.caseId} is a manual task.`;
    return render(c, { text, error: outcome.kind === 'manual' }, outcome);
  });
}
