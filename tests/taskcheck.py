"""Assertions the tests of the notebooks' tasks share."""


def assert_blank(task, *answers):
    """Each answer is graded 'not attempted yet', with what to do."""
    for answer in answers:
        result = task.grade(answer)
        assert result.status == 'blank', (answer, result)
        assert result.message.startswith('Not attempted yet'), result.message


def assert_wrong(task, answer, *words):
    """`answer` is graded wrong, and the message holds each of `words`."""
    result = task.grade(answer)
    assert result.status == 'wrong', result
    for word in words:
        assert word in result.message, (word, result.message)
    return result.message
