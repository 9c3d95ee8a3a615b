// Type-checked by tools/spec-gates/run (tsc --noEmit --strict) next to zendesk.d.ts, the types
// openapi-typescript generates from spec/zendesk.yaml. It touches a list, a show, a create body and
// a paginated envelope, so a spec change that breaks TypeScript users fails the gate.
import type { components, operations, paths } from "./zendesk";

type Schemas = components["schemas"];
type JSONBody<R> = R extends { content: { "application/json": infer B } } ? B : never;

// A list: ListTickets, with cursor pagination parameters under Zendesk's wire names.
type ListTicketsQuery = NonNullable<operations["ListTickets"]["parameters"]["query"]>;
type ListTicketsPage = JSONBody<paths["/api/v2/tickets"]["get"]["responses"][200]>;

// A show: ShowTicket, by path parameter.
type ShowTicketPath = operations["ShowTicket"]["parameters"]["path"];
type ShowTicketBody = JSONBody<operations["ShowTicket"]["responses"][200]>;

// A create body: CreateTicket.
type CreateTicketBody = NonNullable<operations["CreateTicket"]["requestBody"]>["content"]["application/json"];

// Errors: every operation declares the shared 4XX response.
type ShowTicketError = JSONBody<operations["ShowTicket"]["responses"]["4XX"]>;

const base = "https://example.zendesk.com";

async function getJSON<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) {
    const err = (await res.json()) as ShowTicketError;
    throw new Error(`${res.status} ${typeof err.error === "string" ? err.error : ""}: ${err.description ?? ""}`);
  }
  return (await res.json()) as T;
}

// The paginated envelope: follow meta.after_cursor while meta.has_more.
export async function* allTickets(pageSize: number): AsyncGenerator<Schemas["Ticket"]> {
  const query: ListTicketsQuery = { "page[size]": pageSize };
  for (;;) {
    const params = new URLSearchParams();
    params.set("page[size]", String(query["page[size]"]));
    if (query["page[after]"] !== undefined) params.set("page[after]", query["page[after]"]);
    const page: ListTicketsPage = await getJSON<ListTicketsPage>(`${base}/api/v2/tickets?${params}`);
    const list: Schemas["TicketList"] = page;
    yield* list.tickets;
    const meta: Schemas["CursorPaginationMeta"] | undefined = list.meta;
    const next: string | null | undefined = meta?.after_cursor;
    if (!meta?.has_more || next == null) return;
    query["page[after]"] = next;
  }
}

export async function showTicket(id: ShowTicketPath["ticket_id"]): Promise<Schemas["Ticket"]> {
  const body: ShowTicketBody = await getJSON<ShowTicketBody>(`${base}/api/v2/tickets/${id}`);
  const status: Schemas["Ticket"]["status"] = body.ticket.status;
  const type: "problem" | "incident" | "question" | "task" | null | undefined = body.ticket.type;
  void status;
  void type;
  return body.ticket;
}

export async function createTicket(subject: string, comment: string): Promise<number | undefined> {
  const body: CreateTicketBody = {
    ticket: {
      subject,
      comment: { body: comment, public: false },
      priority: "high",
      tags: ["from-typescript"],
      custom_fields: [{ id: 25356371, value: "a custom value" }, { id: 25356634, value: null }],
    },
  };
  const res = await getJSON<JSONBody<operations["CreateTicket"]["responses"][201]>>(`${base}/api/v2/tickets`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify(body),
  });
  return res.ticket.id;
}

// AnyValue is any JSON value, null included.
export const anyValues: Schemas["AnyValue"][] = ["text", 1.5, true, null, [1, "two", null], { nested: { deep: [null] } }];
