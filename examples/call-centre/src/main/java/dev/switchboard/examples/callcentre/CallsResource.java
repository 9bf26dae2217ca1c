package dev.switchboard.examples.callcentre;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;

/**
 * A stand-in for the telephony system: {@code POST /centre/calls {"caller": "+44 20 7946 0000"}}
 * rings the first free agent (or queues the call), {@code {"caller": …, "agent": "alice"}} rings
 * that agent, who must be free (409 otherwise). {@code GET /centre/board} is the board now.
 *
 * <p>DEMO ONLY: no authentication. A real switch would call this from inside the network.
 */
@RequestScoped
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class CallsResource {

    /** The request body of {@code POST /centre/calls}. */
    public record IncomingCall(String caller, String agent) {
    }

    @Inject
    CallCentre centre;

    @POST
    @Path("calls")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response incoming(IncomingCall request) {
        if (request == null || request.caller() == null || request.caller().isBlank() || request.caller().length() > 64) {
            return error(Response.Status.BAD_REQUEST, "caller is required (at most 64 characters)");
        }
        try {
            Board.Call call = centre.incoming(request.caller(), Optional.ofNullable(request.agent()));
            return Response.status(Response.Status.CREATED).entity(call).build();
        } catch (CallCentre.Refused e) {
            return error(Response.Status.CONFLICT, e.getMessage());
        }
    }

    @GET
    @Path("board")
    public Board board() {
        return centre.board();
    }

    static Response error(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", status.getReasonPhrase(), "message", message)).build();
    }
}
