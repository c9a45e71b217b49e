using System.Globalization;
using System.Xml.Linq;

namespace Broker.Providers.Tests.Aws.Fake;

/// <summary>EC2 Query API response bodies (namespace 2016-11-15) and the common error envelope.</summary>
internal static class Ec2Xml
{
    public static readonly XNamespace Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    public static XElement Response(string action, string requestId, params object?[] content) =>
        new(Ns + $"{action}Response", new XElement(Ns + "requestId", requestId), content);

    public static XElement E(string name, params object?[] content) => new(Ns + name, content);

    public static XElement Set(string name, IEnumerable<XElement> items) => E(name, items);

    public static XElement Item(params object?[] content) => E("item", content);

    public static string Time(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static XElement Instance(FakeEc2Instance i) => Item(
        E("instanceId", i.InstanceId),
        E("imageId", i.ImageId),
        State("instanceState", i.State, i.StateCode),
        E("instanceType", i.InstanceType),
        E("launchTime", Time(i.LaunchTime)),
        E("placement", E("availabilityZone", i.Zone), E("tenancy", "default")),
        i.Lifecycle is null ? null : E("instanceLifecycle", i.Lifecycle),
        i.ClientToken is null ? null : E("clientToken", i.ClientToken),
        Set("tagSet", i.Tags.Select(t => Item(E("key", t.Key), E("value", t.Value)))));

    public static XElement Reservation(FakeEc2Instance i, params object?[] extra) => Item(
        E("reservationId", i.ReservationId),
        E("ownerId", "123456789012"),
        E("groupSet"),
        Set("instancesSet", [Instance(i)]),
        extra);

    public static XElement State(string element, string name, int code) => E(element, E("code", code), E("name", name));

    public static string Error(string code, string message, string requestId) =>
        new XElement("Response",
            new XElement("Errors", new XElement("Error", new XElement("Code", code), new XElement("Message", message))),
            new XElement("RequestID", requestId)).ToString(SaveOptions.DisableFormatting);
}
