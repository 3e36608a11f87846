/**
 * The ACME validation authority (VA): proves control of an identifier by http-01 and dns-01 (RFC 8555 §8.3,
 * §8.4), tls-alpn-01 (RFC 8737), for IP identifiers as RFC 8738 allows, and checks CAA (RFC 8659).
 *
 * <p>{@link dev.hallmark.protocol.acme.validation.Validator} is the only entry point. It owns a small fixed
 * thread pool and never runs on, or blocks, a Vert.x event loop: every call returns a {@code CompletableFuture}
 * that completes within the configured deadline, whatever the remote side does (T21). Every DNS lookup goes
 * through one bounded dnsjava client (CNAME hops and answer sizes capped); every connection is checked against
 * the deny list before it is opened, including each redirect hop (SSRF, RELIABILITY.md §C).
 */
package dev.hallmark.protocol.acme.validation;
