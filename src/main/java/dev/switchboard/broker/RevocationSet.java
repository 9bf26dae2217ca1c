package dev.switchboard.broker;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of revocations, indexed for the check every token passes: by user and by
 * token id, each to the latest {@code until} naming it. Rebuilt on every change (revocations are
 * rare; checks are not), so a check takes no lock and allocates nothing.
 */
public final class RevocationSet {

    public static final RevocationSet EMPTY = new RevocationSet(Map.of());

    private final Map<String, Revocation> byId;
    private final Map<String, Instant> users;
    private final Map<String, Instant> tokenIds;

    private RevocationSet(Map<String, Revocation> byId) {
        this.byId = Map.copyOf(byId);
        Map<String, Instant> users = new HashMap<>();
        Map<String, Instant> tokenIds = new HashMap<>();
        for (Revocation revocation : byId.values()) {
            Map<String, Instant> index = revocation.kind() == Revocation.Kind.USER ? users : tokenIds;
            index.merge(revocation.value(), revocation.until(), (a, b) -> a.isAfter(b) ? a : b);
        }
        this.users = Map.copyOf(users);
        this.tokenIds = Map.copyOf(tokenIds);
    }

    /** The revocations of {@code revocations} that count at {@code now}. */
    public static RevocationSet of(Collection<Revocation> revocations, Instant now) {
        Map<String, Revocation> byId = new HashMap<>();
        for (Revocation revocation : revocations) {
            if (revocation.activeAt(now)) {
                byId.put(revocation.id(), revocation);
            }
        }
        return new RevocationSet(byId);
    }

    /** This set with {@code revocation} added (or replaced, by id) and what expired by {@code now} dropped. */
    public RevocationSet with(Revocation revocation, Instant now) {
        Map<String, Revocation> byId = new HashMap<>(this.byId);
        byId.put(revocation.id(), revocation);
        return of(byId.values(), now);
    }

    /** This set without revocation {@code id} and without what expired by {@code now}. */
    public RevocationSet without(String id, Instant now) {
        Map<String, Revocation> byId = new HashMap<>(this.byId);
        byId.remove(id);
        return of(byId.values(), now);
    }

    /** Whether a token of {@code user} with id {@code tokenId} (either may be null) is revoked at {@code now}. */
    public boolean revokes(String user, String tokenId, Instant now) {
        return counts(users, user, now) || counts(tokenIds, tokenId, now);
    }

    private static boolean counts(Map<String, Instant> index, String key, Instant now) {
        if (key == null) {
            return false;
        }
        Instant until = index.get(key);
        return until != null && now.isBefore(until);
    }

    public boolean contains(String id) {
        return byId.containsKey(id);
    }

    /** The revocations that count at {@code now}, soonest to end first. */
    public List<Revocation> activeAt(Instant now) {
        return byId.values().stream().filter(r -> r.activeAt(now))
                .sorted(java.util.Comparator.comparing(Revocation::until).thenComparing(Revocation::id)).toList();
    }

    public int size() {
        return byId.size();
    }
}
