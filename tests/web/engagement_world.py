"""Browsers for the engagement tests: logged-in accounts and a comment their reports hid."""

from consult.proposals.models import Comment


def logged_in(app, create_user, role: str = "participant"):
    """A browser of its own, logged in to a new account with `role`."""
    browser = app.test_client()
    email = create_user(role=role).email
    browser.post("/account/accedi", data={"email": email, "password": "secret-password"})
    return browser


def comment_hidden_by_accounts(app, db, create_user, contribution, text: str) -> Comment:
    """A comment on `contribution` that three accounts reported (the default threshold)."""
    comment = Comment(contribution_id=contribution.id, text=text)
    db.add(comment)
    db.commit()
    for _ in range(3):
        logged_in(app, create_user).post(f"/commenti/{comment.id}/segnala", data={"reason": "spam"})
    db.refresh(comment)
    return comment
