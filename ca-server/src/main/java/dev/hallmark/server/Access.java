package dev.hallmark.server;

import dev.hallmark.admin.AdminRole;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who may call a route. Every route declares one; there is no default, so a route without a decision does not
 * build ({@link Route.Builder#build()}) and authorisation fails closed.
 *
 * @param isOpen {@code true} for an unauthenticated route (protocol endpoints that authenticate by their own means,
 *              health, distribution points)
 * @param roles the administrator roles allowed when not open; never empty then
 */
public record Access(boolean isOpen, Set<AdminRole> roles) {
    public Access {
        Objects.requireNonNull(roles, "roles");
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
        if (!isOpen && roles.isEmpty()) {
            throw new IllegalArgumentException("a protected route must allow at least one role");
        }
        if (isOpen && !roles.isEmpty()) {
            throw new IllegalArgumentException("an open route takes no roles");
        }
    }

    /** No authentication: the route authenticates by its own protocol, or serves public data. */
    public static Access open() {
        return new Access(true, Set.of());
    }

    /** Only an authenticated administrator credential of one of these roles. */
    public static Access roles(AdminRole first, AdminRole... more) {
        return new Access(false, EnumSet.of(first, more));
    }

    /** Whether {@code role} may call the route. */
    public boolean allows(AdminRole role) {
        return isOpen || roles.contains(role);
    }
}
