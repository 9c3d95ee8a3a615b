// Compiled by tools/spec-gates/run (tsc --strict, emitting JavaScript) together with the client
// @hey-api/openapi-ts generates from spec/zendesk.yaml into ./client. It touches a list, a show, a
// create body and a paginated envelope, so a spec change that breaks TypeScript users fails the gate.
import { createClient, createConfig } from "./client/client";
import { createTicket, listTickets, showTicket } from "./client/sdk.gen";
import type { AnyValue, ErrorBody, Ticket, TicketCreateRequest, TicketList } from "./client/types.gen";

// Basic auth with an API token: the username is `{email}/token`.
export function zendesk(subdomain: string, email: string, apiToken: string) {
  return createClient(
    createConfig({
      baseUrl: `https://${subdomain}.zendesk.com`,
      auth: (auth) => (auth.scheme === "basic" ? `${email}/token:${apiToken}` : undefined),
    }),
  );
}

type Client = ReturnType<typeof zendesk>;

// The paginated envelope: a cursor-paginated list, followed with meta.after_cursor.
export async function* allTickets(client: Client, pageSize = 100): AsyncGenerator<Ticket> {
  let after: string | undefined;
  for (;;) {
    const { data, error } = await listTickets({ client, query: { "page[size]": pageSize, "page[after]": after } });
    if (error !== undefined) throw new Error(describe(error));
    const page: TicketList = data;
    yield* page.tickets;
    if (!page.meta?.has_more || page.meta.after_cursor == null) return;
    after = page.meta.after_cursor;
  }
}

// A show.
export async function ticket(client: Client, id: number): Promise<Ticket> {
  const { data } = await showTicket({ client, path: { ticket_id: id }, throwOnError: true });
  return data.ticket;
}

// A create body, with the idempotency key Zendesk honours.
export async function create(client: Client, subject: string, text: string): Promise<number | undefined> {
  const body: TicketCreateRequest = {
    ticket: {
      subject,
      comment: { body: text, public: true },
      priority: "urgent",
      custom_fields: [{ id: 25356371, value: ["multi", "select"] }],
    },
  };
  const { data, error } = await createTicket({ client, body, headers: { "Idempotency-Key": crypto.randomUUID() } });
  if (error !== undefined) throw new Error(describe(error));
  return data.ticket.id;
}

function describe(e: ErrorBody): string {
  const code: AnyValue | undefined = e.error;
  return `${typeof code === "string" ? code : JSON.stringify(code)}: ${e.description ?? ""}`;
}
