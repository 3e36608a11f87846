package dev.hallmark.server;

import java.util.Locale;

/** What a node serves ({@code hallmark serve --role}). */
public enum ServerRole {
    /** Every endpoint. */
    ALL,
    /** The authority: the API and the enrolment protocols, without the revocation endpoints. */
    CA,
    /** Only the revocation endpoints (OCSP, CRLs, CA certificates), for scale-out. */
    OCSP;

    /** The lower-case name used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
