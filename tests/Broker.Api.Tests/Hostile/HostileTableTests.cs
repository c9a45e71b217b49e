namespace Broker.Api.Tests.Hostile;

/// <summary>The hostile-input table (issue 9), one shared app per class; every row asserts status, problem document, no row changed.</summary>
public sealed class HostileAccessTests(HostileApp app) : IClassFixture<HostileApp>
{
    public static readonly CaseTable Cases = new(AccessCases.Authentication().Concat(AccessCases.Authorization()));

    public static TheoryData<string> Ids() => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Each_access_case_gets_its_exact_status_a_problem_document_and_changes_no_row(string id) => app.AssertAsync(Cases[id]);
}

public sealed class HostilePathAndQueryTests(HostileApp app) : IClassFixture<HostileApp>
{
    public static readonly CaseTable Cases = new(PathCases.All().Concat(QueryCases.All()));

    public static TheoryData<string> Ids() => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Each_path_and_query_case_gets_its_exact_status_a_problem_document_and_changes_no_row(string id) => app.AssertAsync(Cases[id]);
}

public sealed class HostileSubmitTests(HostileApp app) : IClassFixture<HostileApp>
{
    public static readonly CaseTable Cases = new(SubmitFieldCases.All().Concat(SubmitShapeCases.All()));

    public static TheoryData<string> Ids() => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Each_submission_case_gets_its_exact_status_a_problem_document_and_changes_no_row(string id) => app.AssertAsync(Cases[id]);
}

public sealed class HostileKeyCallbackAndContentTypeTests(HostileApp app) : IClassFixture<HostileApp>
{
    public static readonly CaseTable Cases = new(KeyAndCallbackCases.Keys().Concat(KeyAndCallbackCases.Callbacks()).Concat(ContentTypeCases.All()));

    public static TheoryData<string> Ids() => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Each_key_callback_and_content_type_case_gets_its_exact_status_a_problem_document_and_changes_no_row(string id) =>
        app.AssertAsync(Cases[id]);
}

public sealed class HostileTableSizeTests
{
    [Fact]
    public void The_table_has_at_least_300_cases_across_every_category()
    {
        var total = HostileAccessTests.Cases.Count + HostilePathAndQueryTests.Cases.Count + HostileSubmitTests.Cases.Count
            + HostileKeyCallbackAndContentTypeTests.Cases.Count;

        Assert.True(total >= 300, $"{total} cases");
    }
}
