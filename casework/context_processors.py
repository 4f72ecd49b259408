"""Template context shared by every page."""

from casework import access


def workspace(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "user_role": access.role_of(user),
        "user_holders": access.holder_names(user),
        "can_edit": access.can_edit(user),
        "is_manager": access.is_manager(user),
    }
