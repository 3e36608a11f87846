package dev.hallmark.authority;

/**
 * Where a reserved serial stands in the issuance cycle ({@code docs/ISSUANCE-CYCLE.md}).
 */
public enum SerialState {
    /** Intent committed (step 4); the CA key may have signed. Outcome unknown until ISSUED or ABORTED. */
    SIGNING,
    /** The certificate is stored and audited (step 6). */
    ISSUED,
    /** Signing failed or was refused; no certificate exists. The serial stays reserved forever. */
    ABORTED
}
