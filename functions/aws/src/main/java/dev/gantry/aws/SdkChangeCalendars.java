package dev.gantry.aws;

import dev.gantry.core.gate.ChangeCalendars;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCalendarStateResponse;

/** {@link ChangeCalendars} over Systems Manager GetCalendarState. */
public final class SdkChangeCalendars implements ChangeCalendars {

    private final SsmClient ssm;

    public SdkChangeCalendars(SsmClient ssm) {
        this.ssm = ssm;
    }

    @Override
    public CalendarState state(String calendar) {
        GetCalendarStateResponse response;
        try {
            response = ssm.getCalendarState(r -> r.calendarNames(calendar));
        } catch (AwsServiceException e) {
            throw new ChangeCalendarException("SSM GetCalendarState for change calendar " + calendar + " was refused: "
                    + AwsErrors.refusal(e), e);
        } catch (SdkException e) {
            throw new ChangeCalendarException("SSM GetCalendarState for change calendar " + calendar + " failed: " + e.getMessage(), e);
        }
        boolean open = switch (response.state()) {
            case OPEN -> true;
            case CLOSED -> false;
            case null, default -> throw new ChangeCalendarException("change calendar " + calendar + " is in state "
                    + response.stateAsString() + ", neither OPEN nor CLOSED", null);
        };
        return new CalendarState(open, nextTransition(calendar, response.nextTransitionTime()));
    }

    /** The API gives the time as ISO-8601 text, and leaves it out when the calendar has no further events. */
    private static Instant nextTransition(String calendar, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new ChangeCalendarException("change calendar " + calendar + " gave a next transition time that is not ISO-8601: "
                    + text, e);
        }
    }
}
