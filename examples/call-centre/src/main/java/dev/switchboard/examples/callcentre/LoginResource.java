package dev.switchboard.examples.callcentre;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code POST /centre/login {"name": "alice", "role": "agent"}} answers
 * {@code {"token", "user", "channelId"}}: what the page connects to Switchboard with. An agent
 * {@code alice} is user {@code alice} on channel {@code agent-alice} (one desk per agent: a second
 * tab is refused with 409 until the first closes); a supervisor {@code bob} is user
 * {@code supervisor:bob} on a channel {@code board-bob-<random>} of each board tab.
 *
 * <p>DEMO ONLY: anyone may sign in as anyone, without a password. A real application puts its
 * own sign-in in front of this.
 */
@RequestScoped
@Path("login")
@Produces(MediaType.APPLICATION_JSON)
public class LoginResource {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The request body. {@code role}: {@code agent} (default) or {@code supervisor}. */
    public record Login(String name, String role) {
    }

    /** The answer. */
    public record Session(String token, String user, String channelId) {
    }

    @Inject
    DemoTokens tokens;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response login(Login login) {
        if (login == null || login.name() == null || !NAME.matcher(login.name()).matches()) {
            return CallsResource.error(Response.Status.BAD_REQUEST, "name must match " + NAME.pattern());
        }
        if (!tokens.available()) {
            return CallsResource.error(Response.Status.SERVICE_UNAVAILABLE,
                    "the demo login signs with SWITCHBOARD_JWT_SECRET, and none is configured");
        }
        Session session;
        if ("supervisor".equals(login.role())) {
            byte[] tab = new byte[4];
            RANDOM.nextBytes(tab);
            String channelId = "board-" + login.name() + "-" + HexFormat.of().formatHex(tab);
            String user = CallCentre.SUPERVISOR_PREFIX + login.name();
            session = new Session(tokens.mint(user, List.of("board-" + login.name() + "-*")), user, channelId);
        } else if (login.role() == null || "agent".equals(login.role())) {
            String channelId = "agent-" + login.name();
            session = new Session(tokens.mint(login.name(), List.of(channelId)), login.name(), channelId);
        } else {
            return CallsResource.error(Response.Status.BAD_REQUEST, "role must be agent or supervisor");
        }
        CacheControl noStore = new CacheControl();
        noStore.setNoStore(true);
        return Response.ok(session).cacheControl(noStore).build();
    }
}
