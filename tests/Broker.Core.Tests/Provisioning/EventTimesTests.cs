using Broker.Core.Provisioning;

namespace Broker.Core.Tests.Provisioning;

public sealed class EventTimesTests
{
    private static readonly DateTimeOffset Created = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Created.AddMinutes(10);

    [Theory]
    [InlineData("2026-03-01T12:05:06.123456789Z", "2026-03-01T12:05:06.1234560+00:00")]
    [InlineData("2026-03-01T12:05:06Z", "2026-03-01T12:05:06.0000000+00:00")]
    [InlineData("2026-03-01T14:05:06.5+02:00", "2026-03-01T12:05:06.5000000+00:00")]
    public void Parses_rfc3339_with_an_offset_to_the_microsecond_in_utc(string text, string expected)
    {
        var parsed = EventTimes.Parse(text);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed);
        Assert.Equal(TimeSpan.Zero, parsed!.Value.Offset);
    }

    [Theory]
    [InlineData("2026-03-01T12:05:06")]
    [InlineData("2026-03-01 12:05:06Z")]
    [InlineData("yesterday")]
    [InlineData("2026-13-01T12:05:06Z")]
    [InlineData("2026-03-01T12:05:06.1234567890Z")]
    [InlineData("")]
    public void Refuses_anything_that_is_not_rfc3339_with_an_offset(string text) => Assert.Null(EventTimes.Parse(text));

    [Fact]
    public void A_time_inside_the_window_is_kept()
    {
        var at = Created.AddMinutes(3);

        Assert.Equal(at, EventTimes.Clamp(at, Created, Now));
    }

    [Fact]
    public void A_time_ahead_of_the_server_is_taken_as_now_and_one_before_the_allocation_as_its_creation()
    {
        Assert.Equal(Now, EventTimes.Clamp(Now.AddSeconds(30), Created, Now));
        Assert.Equal(Created, EventTimes.Clamp(Created.AddDays(-400), Created, Now));
        Assert.Equal(Now, EventTimes.Clamp(null, Created, Now));
    }

    [Fact]
    public void The_canonical_body_carries_the_time_so_a_retry_with_the_same_time_is_a_duplicate_and_another_time_is_not()
    {
        var id = Guid.NewGuid();
        var at = EventTimes.Parse("2026-03-01T12:05:06.123456789Z");
        var first = new InstanceEvent(id, InstanceEventKind.Finished, 3, 0, At: at);

        Assert.Equal("{\"kind\":\"finished\",\"seq\":3,\"exitCode\":0,\"at\":\"2026-03-01T12:05:06.123456Z\"}", first.CanonicalBody);
        Assert.Equal(first.BodyHash, new InstanceEvent(id, InstanceEventKind.Finished, 3, 0, At: at).BodyHash);
        Assert.NotEqual(first.BodyHash, new InstanceEvent(id, InstanceEventKind.Finished, 3, 0, At: at!.Value.AddSeconds(1)).BodyHash);
        Assert.Equal("{\"kind\":\"finished\",\"seq\":3,\"exitCode\":0}", new InstanceEvent(id, InstanceEventKind.Finished, 3, 0).CanonicalBody);
    }
}
