using System.Text.Json;
using Broker.HostileInput;
using Broker.HostileInput.Database;
using Broker.HostileInput.Fuzzing;
using Broker.HostileInput.Json;
using Broker.HostileInput.Requests;

namespace Broker.Api.Tests.Hostile;

/// <summary>The shared engine on its own: seeded runs repeat, hostile strings survive the JSON writer, the OCI check is the grammar.</summary>
public sealed class HostileEngineTests
{
    private static readonly HostileTargets Targets = new("brk_admin", "brk_submitter", "brk_other", "brk_finance", "brk_ops", "brk_revoked",
        Guid.Parse("01a23300-0000-7000-8000-000000000001"), Guid.Parse("01a23300-0000-7000-8000-000000000002"),
        Guid.Parse("01a23300-0000-7000-8000-000000000003"), kind => "token-" + kind,
        [Guid.Parse("01a23300-0000-7000-8000-000000000004")], "ajE6NQ");

    [Fact]
    public void The_same_seed_gives_the_same_requests_and_another_seed_other_ones()
    {
        static List<string> Run(int seed)
        {
            var mutator = new Mutator(seed, Targets);
            return [.. Enumerable.Range(0, 300).SelectMany(_ => mutator.Next().Requests.Select(r => r.Describe()))];
        }

        Assert.Equal(Run(7), Run(7));
        Assert.NotEqual(Run(7), Run(8));
    }

    [Fact]
    public void Every_hostile_string_is_written_as_json_that_reads_back_as_itself_unless_it_cannot_be_utf16()
    {
        foreach (var value in HostileValues.Strings)
        {
            var json = new JObject([new("v", new JText(value.Value))]).ToJson();
            if (value.Kind == StringKind.LoneSurrogate)
            {
                Assert.Contains("\\ud", json, StringComparison.Ordinal);
                continue;
            }
            using var document = JsonDocument.Parse(json);
            Assert.Equal(value.Value, document.RootElement.GetProperty("v").GetString());
        }
    }

    [Fact]
    public void Duplicate_keys_are_written_as_they_are()
    {
        var body = JNode.Parse("""{"gpu": {"count": 1}}""");
        ((JObject)((JObject)body)["gpu"]!).Properties.Add(new("count", JNode.Number(64)));

        Assert.Equal("""{"gpu":{"count":1,"count":64}}""", body.ToJson());
    }

    [Theory]
    [InlineData("ghcr.io/acme/train:1.4")]
    [InlineData("ubuntu")]
    [InlineData("library/ubuntu:22.04")]
    [InlineData("localhost:5000/team/model_server__v2")]
    [InlineData("registry.example.com:443/a-b/c.d@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("Registry.Example.com/lower/path:Tag_1")]
    public void Valid_image_references_pass_the_oci_grammar(string reference) => Assert.True(ImageReference.IsValid(reference));

    [Fact]
    public void Every_hostile_image_breaks_the_oci_grammar()
    {
        Assert.All(HostileImages.All, image => Assert.False(ImageReference.IsValid(image.Value), image.Name));
        Assert.All(HostileValues.Strings, value => Assert.False(ImageReference.IsValid(value.Value), value.Name));
    }
}
