package dev.hallmark.ocsp;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** HTTP dates (RFC 9110 5.6.7) for {@code Last-Modified} and {@code Expires} on OCSP responses and CRLs. */
final class HttpDates {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC)
            .withLocale(Locale.ROOT);

    private HttpDates() {
    }

    static String format(Instant instant) {
        return FORMAT.format(instant);
    }
}
