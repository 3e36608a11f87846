package dev.hallmark.server;

/** The three listeners of SPEC "Listeners". A route lives on exactly one. */
public enum Listener {
    /** TLS 1.2/1.3 with a certificate issued by Hallmark's own issuing CA: API, ACME, EST, SCEP, kiosk. */
    HTTPS,
    /** Plain HTTP: OCSP, CRLs, CA certificates, SCEP (clients that cannot do TLS). */
    HTTP,
    /** Loopback by default: metrics, health and readiness. */
    MANAGEMENT
}
