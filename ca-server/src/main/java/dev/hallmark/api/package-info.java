/**
 * The admin REST API ({@code /api/v1/…} on the HTTPS listener) and the CA certificate distribution points
 * ({@code /ca/<ca>.crt}, {@code /ca/<ca>.pem} on the HTTP listener).
 *
 * <p>One {@link dev.hallmark.api.AdminApiEndpoint} holds the route table; one small handler class per resource
 * parses and validates the wire input, calls the authority, the ledger or the credential store, and renders a
 * JSON view record. Every failure is a {@link dev.hallmark.authority.CaException} that the server base maps to an
 * RFC 9457 problem document ({@link dev.hallmark.server.Problems}); parse failures are {@code MALFORMED} (400),
 * never a 500. The document at {@code /api/v1/openapi.json} (resource {@code dev/hallmark/api/openapi.json}) is
 * the contract; {@code OpenApiContractTest} keeps it equal to the route table.
 */
package dev.hallmark.api;
