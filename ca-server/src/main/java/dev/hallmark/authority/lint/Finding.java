package dev.hallmark.authority.lint;

import java.util.Objects;

/**
 * One lint finding.
 *
 * @param rule    a stable rule id ({@code e_serial_too_long}); ids never change meaning
 * @param message a human sentence naming what is wrong
 */
public record Finding(String rule, String message) {
    public Finding {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return rule + ": " + message;
    }
}
